//! The standalone `dbconform` binary: the workflows that need no declared tables —
//! `inspect` a database into a snapshot file, `diff` two snapshots or databases offline
//! or live, and `wait` for a database to answer. Run `dbconform --help`.
//!
//! To plan, apply or check *your* tables, build your own binary around
//! `dbconform::cli::run()` instead (see the `cli` module).

fn main() {
    dbconform::cli::run_standalone()
}

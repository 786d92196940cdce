//! Per-table work spread over the machine's cores.
//!
//! Reflecting and comparing thousands of tables is the same small job done once per
//! table, independently: [`map`] splits such a list into one contiguous chunk per core
//! (scoped threads, the calling thread taking the first chunk) and keeps the order. Short
//! lists stay on the calling thread, where a thread would cost more than it saves.

/// `items.into_iter().map(f).collect()`, on up to
/// [`std::thread::available_parallelism`] threads when there are at least
/// `min_per_thread` items for each. The result is in the order of `items`; a panic in `f`
/// is resumed on the calling thread.
///
/// ```
/// # extern crate dbconform_core as dbconform;
/// let squares = dbconform::parallel::map((0..1000).collect(), 100, |i: u64| i * i);
/// assert_eq!(squares[999], 998_001);
/// ```
pub fn map<T, U, F>(items: Vec<T>, min_per_thread: usize, f: F) -> Vec<U>
where
    T: Send,
    U: Send,
    F: Fn(T) -> U + Sync,
{
    let threads = cores().min(items.len() / min_per_thread.max(1));
    if threads <= 1 {
        return items.into_iter().map(f).collect();
    }
    let per_thread = items.len().div_ceil(threads);
    let mut chunks: Vec<Vec<T>> = Vec::with_capacity(threads);
    let mut items = items.into_iter();
    loop {
        let chunk: Vec<T> = items.by_ref().take(per_thread).collect();
        if chunk.is_empty() {
            break;
        }
        chunks.push(chunk);
    }
    let mut chunks = chunks.into_iter();
    let first = chunks.next().unwrap_or_default();
    std::thread::scope(|scope| {
        let f = &f;
        let others: Vec<_> = chunks
            .map(|chunk| scope.spawn(move || chunk.into_iter().map(f).collect::<Vec<U>>()))
            .collect();
        let mut out: Vec<U> = first.into_iter().map(f).collect();
        for handle in others {
            match handle.join() {
                Ok(part) => out.extend(part),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        out
    })
}

/// The number of cores, asked once: `available_parallelism` reads the cgroup files on
/// every call, which costs more than the work of a short list.
fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

#[cfg(test)]
mod tests {
    use super::map;

    #[test]
    fn keeps_the_order_whatever_the_split() {
        for n in [0, 1, 7, 100, 1001, 4096] {
            for min in [1, 3, 100, 10_000] {
                let items: Vec<usize> = (0..n).collect();
                let out = map(items, min, |i| (i, std::thread::current().id()));
                let order: Vec<usize> = out.iter().map(|(i, _)| *i).collect();
                assert_eq!(order, (0..n).collect::<Vec<_>>(), "n={n} min={min}");
            }
        }
    }

    #[test]
    fn long_lists_use_other_threads_and_short_ones_do_not() {
        let here = std::thread::current().id();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let short = map((0..10).collect::<Vec<u8>>(), 100, |_| {
            std::thread::current().id()
        });
        assert!(short.iter().all(|id| *id == here));
        let long = map((0..1000).collect::<Vec<u32>>(), 100, |_| {
            std::thread::current().id()
        });
        assert_eq!(long[0], here, "the calling thread takes the first chunk");
        assert_eq!(long.iter().any(|id| *id != here), cores > 1);
    }

    #[test]
    #[should_panic(expected = "item 900")]
    fn a_panic_on_another_thread_reaches_the_caller() {
        if std::thread::available_parallelism().map_or(1, |n| n.get()) < 2 {
            panic!("item 900 (one core: nothing to spread)");
        }
        map((0..1000).collect::<Vec<u32>>(), 100, |i| {
            if i == 900 {
                panic!("item 900");
            }
            i
        });
    }
}

use dbconform::Table;

#[derive(Table)]
#[foreign_key(columns("org_id", "team_no"), references = "teams(org_id)")]
#[foreign_key(columns("org_id"))]
#[foreign_key(columns("org_id", "team_no"), references = "teams(org_id, team_no)", on_delete = "set_null")]
#[foreign_key(columns("org_id", "team_no"), references = "teams(org_id, team_no)", deferrable, initially_deferred)]
struct Member {
    org_id: i64,
    team_no: i32,
}

fn main() {}

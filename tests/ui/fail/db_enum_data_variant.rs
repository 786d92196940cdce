#[derive(dbconform::DbEnum)]
enum Shape {
    Circle(f64),
    Square { side: f64 },
    Point,
}

fn main() {}

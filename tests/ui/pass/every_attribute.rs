//! Every attribute at once, in a binary that checks the registry sees it.
use dbconform::Table;

/// Products we sell.
#[derive(Table)]
#[table(name = "products", schema = "shop", renamed_from = "items", renamed_from("goods"), comment = "Sellable")]
#[index(name = "ix_products_vendor_sku", columns("vendor_id", "sku DESC"), unique, predicate = "sku IS NOT NULL")]
#[index(columns("created_at"))]
#[unique(name = "uq_products_vendor_sku", columns("vendor_id", "sku"))]
#[unique(columns("email"))]
#[check(name = "ck_products_price_positive", expr = "price >= 0")]
#[check(expr = "quantity >= 0")]
pub struct Product {
    #[column(primary_key, auto_increment = true, comment = "Surrogate key")]
    pub id: i64,
    #[column(name = "SKU", max_length = 64, unique, renamed_from = "code")]
    pub sku: String,
    pub description: Option<String>,
    #[column(precision = 10, scale = 2, default = "0", check = "price < 1000000")]
    pub price: rust_decimal::Decimal,
    #[column(references = "shop.vendors(id)", on_delete = "cascade", on_update = "no_action", index)]
    pub vendor_id: i64,
    #[column(references = "categories(id)", on_delete = "set_null", on_update = "restrict")]
    pub category_id: Option<i64>,
    #[column(default = "CURRENT_TIMESTAMP")]
    pub created_at: chrono::DateTime<chrono::Utc>,
    #[column(renamed_from("qty", "count"))]
    pub quantity: i32,
    #[column(sql_type = "citext")]
    pub email: String,
    pub r#type: Option<String>,
    #[column(skip)]
    pub cached: std::cell::Cell<u8>,
}

#[derive(Table)]
#[primary_key(name = "pk_tags", columns("product_id", "tag"))]
struct ProductTag {
    #[column(references = "products(id)")]
    product_id: i64,
    tag: String,
}

fn main() {
    let tables = dbconform::registered_tables().unwrap();
    assert_eq!(tables.len(), 2);
    assert_eq!(tables[0].name, "product_tag");
    assert_eq!(tables[1].name, "products");
    assert_eq!(Product::table_def().columns.len(), 10);
    assert_eq!(ProductTag::table_def().primary_key.unwrap().columns, ["product_id", "tag"]);
}

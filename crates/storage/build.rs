//! `sqlx::migrate!` embeds the migrations at compile time, and cargo would
//! not notice a migration added to a directory; this makes it rebuild.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}

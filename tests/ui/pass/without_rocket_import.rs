use instance_id::instance_route;

#[instance_route("/inst")]
fn app() -> ::rocket::Rocket<::rocket::Build> {
    ::rocket::build()
}

fn main() {
    let _ = app();
}

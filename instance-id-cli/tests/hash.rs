//! `instance-id hash` prints what `expose = hashed("ENV")` serves for an id: held
//! against HMAC-SHA256 computed apart from the library, and against the id an app
//! configured that way actually serves.

mod support;

use instance_id::{Expose, InstanceConfig, SystemView};
use support::run_with_env;

const POD: &str = "cart-5d8f7b6c9-abcde";
const CONTAINER: &str = "f567d2d70907cf14b07a95c07e69ff881934e8cbfa0259f9ddc84aebb3a98786";

fn hash(id: &str) -> String {
    let out = run_with_env(
        &["hash", "--key-env", "INSTANCE_ID_TEST_KEY", id],
        &[("INSTANCE_ID_TEST_KEY", "s3cret")],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[test]
fn hash_is_hmac_sha256_by_a_known_answer() {
    // Python 3: hmac.new(b"s3cret", ID.encode(), hashlib.sha256).hexdigest()
    assert_eq!(
        hash(POD),
        "107fdc1d6cd6d3d7713760b97cf97c9c4b94b24c8620bf2c37c0905da9c41a48\n"
    );
    assert_eq!(
        hash(CONTAINER),
        "98fb0c51be45a8892f20929bed7c4feac50df51a8eb6a255c4da73b77c9708d2\n"
    );
}

#[test]
fn hash_prints_what_the_route_serves() {
    for id in [POD, CONTAINER] {
        let view = SystemView::snapshot("/nonexistent")
            .with_env([("POD_NAME", id), ("INSTANCE_ID_TEST_KEY", "s3cret")]);
        let instance = InstanceConfig::new("/inst")
            .expose(Expose::hashed("INSTANCE_ID_TEST_KEY"))
            .view(view)
            .start()
            .expect("a pod and a key");
        let served = String::from_utf8(instance.reply("GET", []).body().to_vec()).expect("UTF-8");
        assert_eq!(hash(id), served, "{id}");
        assert_eq!(
            instance.header().map(|(_, value)| value),
            Some(served.trim_end())
        );
    }
}

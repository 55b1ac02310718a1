//! The resource detector on every snapshot folder of `testdata/`: a program that
//! builds `Resource::builder_empty().with_detector(…)` gets `service.instance.id` =
//! the UUID v5 of the folder's expected id, and a container's `container.id` is that
//! id. The expected UUID is computed here from `expected`, apart from the library's
//! rule, and the namespace is checked against another implementation's answer.

mod support;

use std::path::{Path, PathBuf};

use instance_id::{InstanceResourceDetector, SystemView};
use opentelemetry::Key;
use opentelemetry_sdk::Resource;
use support::{chain, expected, folders, testdata};
use uuid::Uuid;

/// The semantic conventions' namespace for `service.instance.id`.
const NAMESPACE: Uuid = Uuid::from_u128(0x4d63009a_8d0f_11ee_aad7_4c796ed8e320);

fn uuid5(id: &str) -> String {
    Uuid::new_v5(&NAMESPACE, id.as_bytes()).to_string()
}

/// The folder's resource, as a user's program builds it.
fn resource(dir: &Path) -> Resource {
    let args_file = std::fs::read_to_string(dir.join("args")).unwrap_or_default();
    let args: Vec<&str> = args_file.split_whitespace().collect();
    let detector = InstanceResourceDetector::new()
        .chain(chain(&args))
        .view(SystemView::snapshot(dir));
    Resource::builder_empty()
        .with_detector(Box::new(detector))
        .build()
}

fn get(resource: &Resource, key: &'static str) -> Option<String> {
    resource
        .get(&Key::from_static_str(key))
        .map(|v| v.to_string())
}

/// Every folder whose answer is one id: the fixtures, this project's snapshots, and
/// every conformance folder (`core` and `stretch` alike must pass).
fn cases() -> Vec<PathBuf> {
    let mut cases = folders(&testdata().join("fixtures"));
    cases.extend(folders(&testdata().join("snapshots")));
    cases.extend(folders(&testdata().join("conformance")));
    cases
}

#[test]
fn the_namespace_is_the_conventions() {
    // Python 3: uuid.uuid5(uuid.UUID("4d63009a-8d0f-11ee-aad7-4c796ed8e320"), id)
    assert_eq!(
        uuid5("f567d2d70907cf14b07a95c07e69ff881934e8cbfa0259f9ddc84aebb3a98786"),
        "c5cd6699-3b39-53c6-8cc9-8290de241d5d"
    );
    assert_eq!(
        uuid5("f1496a54353d35b04a8c37e492496f627df4beed99d98d5b6f05870f6aa865f0"),
        "f75b41bd-e21a-5076-a815-6a868f39fca6"
    );
}

#[test]
fn every_snapshot_is_named_by_its_expected_id() {
    let cases = cases();
    let mut failed = Vec::new();
    let mut containers = 0;
    for dir in &cases {
        let want = expected(dir);
        let resource = resource(dir);
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned());
        let name = name.unwrap_or_default();
        let instance = get(&resource, "service.instance.id");
        if instance.as_deref() != Some(uuid5(&want).as_str()) {
            failed.push(format!(
                "{name}: service.instance.id {instance:?}, expected uuid5({want})"
            ));
        }
        let container = get(&resource, "container.id");
        // A 64-hex answer is a container runtime's id: it must be there, whole.
        let is_container_id = support::oracle::is_container_id(&want);
        match &container {
            Some(id) if *id != want => {
                failed.push(format!("{name}: container.id {id}, expected {want}"))
            }
            None if is_container_id => failed.push(format!("{name}: no container.id ({want})")),
            Some(_) => containers += 1,
            None => {}
        }
        // The raw id is never the instance id.
        if instance.as_deref() == Some(want.as_str()) {
            failed.push(format!("{name}: service.instance.id is the raw id"));
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {} snapshots:\n{}",
        failed.len(),
        cases.len(),
        failed.join("\n")
    );
    assert!(containers > 40, "only {containers} containers named");
    println!("{} snapshots, {containers} with container.id", cases.len());
}

#[test]
fn the_named_fixtures() {
    let fixture = |name: &str| resource(&testdata().join("fixtures").join(name));

    let docker = fixture("docker-private-cgroupns");
    let id = "f567d2d70907cf14b07a95c07e69ff881934e8cbfa0259f9ddc84aebb3a98786";
    assert_eq!(
        get(&docker, "service.instance.id").as_deref(),
        Some("c5cd6699-3b39-53c6-8cc9-8290de241d5d")
    );
    assert_eq!(get(&docker, "container.id").as_deref(), Some(id));
    assert_eq!(
        get(&docker, "container.runtime.name").as_deref(),
        Some("docker")
    );
    assert_eq!(get(&docker, "host.name").as_deref(), Some("f567d2d70907"));
    assert_eq!(get(&docker, "k8s.pod.name"), None);

    let podman = fixture("podman-rootful-v2");
    assert_eq!(
        get(&podman, "service.instance.id").as_deref(),
        Some("f75b41bd-e21a-5076-a815-6a868f39fca6")
    );
    assert_eq!(
        get(&podman, "container.id").as_deref(),
        Some("f1496a54353d35b04a8c37e492496f627df4beed99d98d5b6f05870f6aa865f0")
    );
    assert_eq!(
        get(&podman, "container.runtime.name").as_deref(),
        Some("podman")
    );

    // The downward API names the pod; no container runtime decided.
    let pod = fixture("k8s-v2-private-downward-api");
    assert_eq!(
        get(&pod, "service.instance.id").as_deref(),
        Some("6b36b9df-0ca3-5eac-bb60-895617c8d5fc")
    );
    assert_eq!(get(&pod, "container.id"), None);
    assert_eq!(get(&pod, "container.runtime.name"), None);
    assert_eq!(
        get(&pod, "k8s.pod.name").as_deref(),
        Some("cart-5d8f7b6c9-abcde")
    );
    assert_eq!(get(&pod, "k8s.namespace.name").as_deref(), Some("shop"));
    assert_eq!(get(&pod, "k8s.node.name").as_deref(), Some("node-3"));

    // A Fly machine: the platform's id, hashed; no container, no pod.
    let fly = fixture("fly-machine");
    assert_eq!(
        get(&fly, "service.instance.id").as_deref(),
        Some("83ef29e3-d295-53bb-88bc-eee0ed3c4b7c")
    );
    assert_eq!(get(&fly, "container.id"), None);
    assert_eq!(get(&fly, "k8s.pod.name"), None);
}

/// The detector, the attributes and the command's format come from one rule: the
/// same pairs, whichever way they are asked for.
#[test]
fn the_detector_and_the_attributes_agree() {
    for dir in cases() {
        let args_file = std::fs::read_to_string(dir.join("args")).unwrap_or_default();
        let args: Vec<&str> = args_file.split_whitespace().collect();
        let view = SystemView::snapshot(&dir);
        let Ok(detection) = instance_id::detect(&chain(&args), &view) else {
            panic!("{}: nothing detected", dir.display());
        };
        let attributes = instance_id::ResourceAttributes::new(&detection, &view);
        let mut want: Vec<(String, String)> = attributes
            .pairs()
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let mut got: Vec<(String, String)> = resource(&dir)
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        want.sort();
        got.sort();
        assert_eq!(got, want, "{}", dir.display());
    }
}

#[test]
fn nothing_found_is_an_empty_resource() {
    let chain =
        instance_id::Chain::new(instance_id::Strategy::env("NOPE"), []).expect("a valid chain");
    let detector = InstanceResourceDetector::new()
        .chain(chain)
        .view(SystemView::snapshot("/nonexistent"));
    let resource = Resource::builder_empty()
        .with_detector(Box::new(detector))
        .build();
    assert!(resource.is_empty(), "{resource:?}");
}

/// An app's `Instance` gives the resource of its own detection, the same as the
/// detector's on the same system.
#[cfg(any(feature = "rocket", feature = "axum"))]
#[test]
fn an_instance_gives_the_same_resource_without_detecting_again() {
    let dir = testdata().join("fixtures/k8s-containerd-systemd-v2-hostns");
    let instance = instance_id::InstanceConfig::new("/inst")
        .view(SystemView::snapshot(&dir))
        .start()
        .expect("a pod's container");
    assert_eq!(Resource::from(&instance), resource(&dir));
    assert_eq!(
        get(&Resource::from(&instance), "container.id").as_deref(),
        Some(instance.detection().id.as_str())
    );
}

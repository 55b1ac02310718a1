//! The value rules on generated inputs: an address in any written form, embedded
//! anywhere in an otherwise ordinary id, is refused; ordinary ids of every kind the
//! engine produces pass.

use std::net::{Ipv4Addr, Ipv6Addr};

use instance_id::{InstanceId, InvalidId};
use proptest::prelude::*;

#[path = "support/oracle.rs"]
mod oracle;

fn ipv4() -> impl Strategy<Value = Ipv4Addr> {
    any::<[u8; 4]>().prop_map(Ipv4Addr::from)
}

/// An IPv6 address that names a host (`::` alone names none).
fn ipv6() -> impl Strategy<Value = Ipv6Addr> {
    prop_oneof![
        any::<[u16; 8]>().prop_map(Ipv6Addr::from),
        // Compressed forms: a few groups, the rest zero.
        (any::<u16>(), 1u16..).prop_map(|(a, b)| Ipv6Addr::new(a, 0, 0, 0, 0, 0, 0, b)),
        (1u16..).prop_map(|b| Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, b)),
        ipv4().prop_map(|v4| v4.to_ipv6_mapped()),
    ]
    .prop_filter("names a host", |a| !a.is_unspecified())
}

/// Every way people and platforms write an address.
fn written_address() -> impl Strategy<Value = String> {
    prop_oneof![
        ipv4().prop_map(|a| a.to_string()),
        ipv4().prop_map(|a| a.to_string().replace('.', "-")),
        (ipv4(), 1u16..).prop_map(|(a, port)| format!("{a}:{port}")),
        ipv4().prop_map(|a| format!("ip-{}", a.to_string().replace('.', "-"))),
        ipv6().prop_map(|a| a.to_string()),
        (ipv6(), 1u16..).prop_map(|(a, port)| format!("[{a}]:{port}")),
        ipv6().prop_map(|a| format!("[{a}]")),
        (ipv6(), "[a-z]{2,5}[0-9]").prop_map(|(a, zone)| format!("{a}%{zone}")),
        ipv4().prop_map(|a| a.to_string().replace('.', "_")),
        ipv4().prop_map(|a| format!("ip_{}", a.to_string().replace('.', "_"))),
        // Dashes for colons, as Kubernetes and CoreDNS write pod names.
        ipv6().prop_map(|a| a.to_string().replace(':', "-")),
        ipv6().prop_map(|a| format!(
            "{}.default.pod.cluster.local",
            a.to_string().replace(':', "-")
        )),
        // Windows' literal: dashes for colons, `s` for the zone's `%`.
        (ipv6(), 1u8..).prop_map(|(a, zone)| format!(
            "{}s{zone}.ipv6-literal.net",
            a.to_string().replace(':', "-")
        )),
    ]
}

/// What stands around an address in a real value: a name and a separator before it, a
/// separator and a name, number or domain after it. Digits never touch the address
/// itself (`710.0.3.17` is another number).
fn prefix() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z][a-z0-9]{0,12}[-._]",
        "[a-z]{1,8}-[a-z]{1,8}-",
    ]
}

fn suffix() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[-._][0-9]{1,6}",
        "[-._][a-z][a-z0-9]{0,12}",
        "\\.[a-z]{2,10}\\.internal",
    ]
}

/// The ids the engine produces, one generator per kind.
fn ordinary_id() -> impl Strategy<Value = String> {
    // Kubernetes' alphabet for generated names: no vowels, no 0, 1 or 3.
    let k8s = "[bcdfghjklmnpqrstvwxz2456789]";
    let regex =
        |pattern: String| proptest::string::string_regex(&pattern).expect("a valid pattern");
    prop_oneof![
        "[0-9a-f]{64}",
        "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
        regex(format!("[a-z]{{3,10}}-{k8s}{{9,10}}-{k8s}{{5}}")),
        regex(format!("[a-z]{{3,10}}-{k8s}{{5}}")),
        "i-[0-9a-f]{17}",
        "[0-9a-f]{32}-[0-9]{10}",
        "[a-z]{2,8}\\.[0-9]{1,2}\\.[a-z0-9]{25}",
        "release-20[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])",
        "v[0-9]{1,2}\\.[0-9]{1,2}\\.[0-9]{1,3}-build\\.[0-9]{1,4}",
        "[a-z]{3,12}-[0-9]{1,7}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn an_address_anywhere_is_refused(
        before in prefix(),
        address in written_address(),
        after in suffix(),
    ) {
        let value = format!("{before}{address}{after}");
        prop_assume!(value.len() <= 253);
        match InstanceId::new(&value) {
            Err(InvalidId::Address { .. }) => {}
            other => prop_assert!(false, "{value:?} gave {other:?}"),
        }
    }

    #[test]
    fn every_occurrence_is_looked_at(
        first in ipv4().prop_filter("two digits or more", |a| a.octets()[0] >= 26),
        second in ipv4(),
        name in "[a-z]{1,8}",
    ) {
        // A digit before the first makes it another number; the second is still found.
        let value = format!("{name}-9{first}-{second}");
        match InstanceId::new(&value) {
            Err(InvalidId::Address { address }) => prop_assert_eq!(address, second.to_string()),
            other => prop_assert!(false, "{value:?} gave {other:?}"),
        }
    }

    #[test]
    fn a_leading_dash_is_refused(id in ordinary_id()) {
        let value = format!("-{id}");
        prop_assert_eq!(InstanceId::new(&value), Err(InvalidId::LeadingDash));
    }

    #[test]
    fn ordinary_ids_pass(id in ordinary_id()) {
        prop_assert_eq!(InstanceId::new(&id).map(|i| i.into_string()), Ok(id.clone()));
    }
}

/// The forms a tester found passing, and names close to them that are ordinary.
#[test]
fn dashed_and_underscored_addresses() {
    for (value, address) in [
        ("2001-db8--1.default.pod.cluster.local", "2001-db8--1"),
        ("fe80--1s4.ipv6-literal.net", "fe80--1s4"),
        ("ip_10_0_3_17", "10_0_3_17"),
        ("web-fd00-a1-b2-c3-d4-e5-f6-1a", "fd00-a1-b2-c3-d4-e5-f6-1a"),
        ("--1", "--1"),
    ] {
        match InstanceId::new(value) {
            Err(InvalidId::Address { address: found }) => assert_eq!(found, address, "{value}"),
            other => panic!("{value:?} gave {other:?}"),
        }
    }
    for ordinary in ["web--1", "my--app-7d9f", "node_1_2_3", "a-b-c-d-e-f-g"] {
        assert!(InstanceId::new(ordinary).is_ok(), "{ordinary}");
    }
    assert_eq!(InstanceId::new("-4242"), Err(InvalidId::LeadingDash));
}

/// The tests' own statements of the rules, which other tests judge the library by,
/// reject what they must and take what they must.
#[test]
fn the_tests_own_rules_reject_what_they_must() {
    let container = "f567d2d70907cf14b07a95c07e69ff881934e8cbfa0259f9ddc84aebb3a98786";
    assert!(oracle::is_container_id(container));
    for not_one in [
        &container[..63],
        &format!("{container}0"),
        &container.to_uppercase(),
        &container.replacen('f', "g", 1),
        "cart-5d8f7b6c9-abcde",
        "",
    ] {
        assert!(!oracle::is_container_id(not_one), "{not_one:?}");
    }
    assert!(oracle::is_printable_and_bounded("web-7d9f"));
    assert!(oracle::is_printable_and_bounded(&"a".repeat(253)));
    for bad in [
        "",
        &"a".repeat(254),
        "a b",
        "a\tb",
        "caf\u{e9}",
        "a\u{7f}",
        "\u{1b}[31m",
    ] {
        assert!(!oracle::is_printable_and_bounded(bad), "{bad:?}");
    }
    // The library agrees with them on each.
    assert!(InstanceId::new(&"a".repeat(254)).is_err());
    assert!(InstanceId::new("a b").is_err());
}

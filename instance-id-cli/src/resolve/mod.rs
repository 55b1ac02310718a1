//! `instance-id resolve ID`: from what a user read off `/inst`, a header or a trace back
//! to what runs it: a container on the Docker host (`docker.rs`), or a pod and its
//! container on a Kubernetes cluster (`kubernetes.rs`, with `--kubernetes`). Both read
//! the id the same way, here: its full form with or without a runtime's `docker://`,
//! a prefix of 12 or more hex digits, the `service.instance.id` UUID, or the hashed
//! id with `--key-env`.

mod docker;
#[cfg(feature = "kubernetes")]
mod kubernetes;

use std::process::ExitCode;

use instance_id::{hash_id, service_instance_id, InstanceId, SystemView};

/// The longest the whole exchange may take unless `--timeout-ms` says.
const DEFAULT_TIMEOUT_MS: u64 = 10_000;

/// The fewest hex digits taken as a prefix of a container id: `docker ps`'s short id.
/// Shorter prefixes are too likely to name several containers.
const MIN_PREFIX: usize = 12;

#[derive(clap::Args)]
pub struct ResolveArgs {
    /// What the user sent: a container id (whole, with or without `containerd://`,
    /// `cri-o://` or `docker://`, or its first 12 or more characters), the
    /// service.instance.id UUID of a trace, a hashed id (with --key-env); with
    /// --kubernetes also a pod's name or uid.
    token: String,
    /// The environment variable with the app's key (its `expose = hashed("ENV")`), to
    /// match hashed ids.
    #[arg(long, value_name = "ENV")]
    key_env: Option<String>,
    /// Give up after this many milliseconds, for the whole exchange: connecting, every
    /// request, every byte of every answer (1 to 600000).
    #[arg(long, value_name = "MS", default_value_t = DEFAULT_TIMEOUT_MS,
          value_parser = clap::value_parser!(u64).range(1..=600_000))]
    timeout_ms: u64,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Ask the Kubernetes cluster of the kubeconfig, as kubectl finds it (KUBECONFIG,
    /// else ~/.kube/config, else the pod's service account), instead of Docker.
    #[arg(long)]
    kubernetes: bool,
    /// With --kubernetes: the kubeconfig's context to use [default: its current-context].
    #[arg(long, value_name = "NAME", requires = "kubernetes")]
    context: Option<String>,
    /// With --kubernetes: search this namespace only [default: all namespaces].
    #[arg(long, short = 'n', value_name = "NS", requires = "kubernetes")]
    namespace: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    /// What an operator reads, and the commands to run next.
    Text,
    /// One JSON object, for scripts (with --kubernetes, `{"matches": […], "more": N}`
    /// when several match, or none).
    Json,
}

pub fn run(args: ResolveArgs) -> ExitCode {
    let view = SystemView::live();
    let key = match &args.key_env {
        Some(name) => match view.hash_key(name) {
            Ok(key) => Some(key),
            Err(err) => return crate::usage(err),
        },
        None => None,
    };
    let token = Token::new(&args.token);
    if args.kubernetes {
        #[cfg(feature = "kubernetes")]
        return kubernetes::run(&args, &token, key);
        #[cfg(not(feature = "kubernetes"))]
        return crate::usage(
            "--kubernetes: this build of instance-id has no Kubernetes client (it was built without the `kubernetes` feature)",
        );
    }
    docker::run(&args, &token, key)
}

/// What the user pasted, read once: trimmed, lower-cased (runtimes write ids in lower
/// case; a hashed id and a UUID too), and without the runtime's prefix that
/// Kubernetes puts before a container's id (`containerd://…`).
struct Token {
    /// As pasted, trimmed: a pod's name is compared with this.
    raw: String,
    /// Lower-cased, the runtime's prefix taken off.
    id: String,
    /// `id` is hex digits only.
    hex: bool,
    /// `id` has a UUID's shape (8-4-4-4-12 hex digits).
    uuid: bool,
}

/// How an id matched the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// The id itself, whole.
    Whole,
    /// Its first `n` (12 or more) characters.
    Prefix(usize),
    /// The HMAC of the id under the app's key (`expose = hashed("ENV")`).
    Hashed,
    /// The OpenTelemetry `service.instance.id` of the id (a UUID v5).
    ServiceInstanceId,
}

impl Form {
    /// The words for how `what` (`id`, `pod name`, …) matched: `the short id`, `the
    /// service.instance.id of the pod name`.
    fn describe(self, what: &str) -> String {
        match self {
            Form::Whole => format!("the {what}"),
            Form::Prefix(MIN_PREFIX) => format!("the short {what}"),
            Form::Prefix(n) => format!("the first {n} characters of the {what}"),
            Form::Hashed => format!("the hashed {what}"),
            Form::ServiceInstanceId => format!("the service.instance.id of the {what}"),
        }
    }
}

impl Token {
    fn new(pasted: &str) -> Token {
        let raw = pasted.trim().to_owned();
        let id = without_runtime(&raw).to_ascii_lowercase();
        let hex = !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit());
        let uuid = is_uuid(&id);
        Token { raw, id, hex, uuid }
    }

    /// How `id`, a container's id as its runtime writes it (with or without the
    /// runtime's prefix), matches: whole, by a prefix of 12 or more characters, hashed,
    /// or as the `service.instance.id` of the id `detect` would have given.
    fn container(&self, id: &str, key: Option<&str>) -> Option<Form> {
        let id = without_runtime(id);
        if id.is_empty() {
            return None;
        }
        if self.id == id {
            Some(Form::Whole)
        } else if self.hex
            && self.id.len() >= MIN_PREFIX
            && self.id.len() < id.len()
            && id.starts_with(self.id.as_str())
        {
            Some(Form::Prefix(self.id.len()))
        } else {
            self.derived(id, key)
        }
    }

    /// How a name (a pod's name or uid) matches: itself, hashed, or as its
    /// `service.instance.id`. Never by a prefix: cutting a name can merge replicas.
    #[cfg_attr(not(feature = "kubernetes"), allow(dead_code))]
    fn name(&self, name: &str, key: Option<&str>) -> Option<Form> {
        if name.is_empty() {
            None
        } else if self.raw == name || self.id == name {
            Some(Form::Whole)
        } else {
            self.derived(name, key)
        }
    }

    /// The forms an app derives from its id: the hashed id, the `service.instance.id`.
    /// Each is computed only when the token has its shape.
    fn derived(&self, id: &str, key: Option<&str>) -> Option<Form> {
        if self.hex && self.id.len() == 64 {
            if let Some(key) = key {
                if hash_id(key.as_bytes(), id) == self.id {
                    return Some(Form::Hashed);
                }
            }
        }
        if self.uuid {
            // Only an id the app could have had has a service.instance.id.
            if let Ok(valid) = InstanceId::new(id) {
                if service_instance_id(&valid) == self.id {
                    return Some(Form::ServiceInstanceId);
                }
            }
        }
        None
    }
}

/// `containerd://ID`, `cri-o://ID`, `docker://ID` (as a pod's status writes a
/// container's id): the id. Anything else as it is.
fn without_runtime(id: &str) -> &str {
    match id.split_once("://") {
        Some((runtime, rest))
            if !runtime.is_empty()
                && runtime
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-') =>
        {
            rest
        }
        _ => id,
    }
}

/// 8-4-4-4-12 hex digits.
fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `word` as one word of a shell command line: as it is when it is plain (what the
/// orchestrator itself allows in a name), else escaped for the terminal and
/// single-quoted, so that nothing in it reaches a shell.
fn shell_word(word: &str, plain: bool) -> String {
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", crate::text::safe(word).replace('\'', r"'\''"))
    }
}

/// The report as one JSON object and a newline. Serializing plain structs of strings,
/// numbers and options cannot fail; were it to, the message says so.
fn json<T: serde::Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string_pretty(value)
        .map(|text| text + "\n")
        .map_err(|err| format!("cannot write the report as JSON: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "5c2d33d962d83d694662cd0d67bca837ca3620e2ed934c58fa327f99d415e5c0";

    #[test]
    fn every_form_of_a_container_id() {
        let whole = Token::new(ID);
        assert_eq!(whole.container(ID, None), Some(Form::Whole));
        assert_eq!(
            whole.container(&format!("containerd://{ID}"), None),
            Some(Form::Whole)
        );
        for pasted in [
            format!("  {}\n", ID.to_uppercase()),
            format!("cri-o://{ID}"),
            format!("docker://{ID}"),
        ] {
            assert_eq!(Token::new(&pasted).container(ID, None), Some(Form::Whole));
        }
        assert_eq!(
            Token::new(&ID[..12]).container(ID, None),
            Some(Form::Prefix(12))
        );
        assert_eq!(
            Token::new(&ID[..20]).container(ID, None),
            Some(Form::Prefix(20))
        );
        assert_eq!(Token::new(&ID[..11]).container(ID, None), None);
        assert_eq!(Token::new(&ID[1..13]).container(ID, None), None);

        let hashed = hash_id(b"k", ID);
        assert_eq!(
            Token::new(&hashed).container(ID, Some("k")),
            Some(Form::Hashed)
        );
        assert_eq!(Token::new(&hashed).container(ID, Some("other")), None);
        assert_eq!(Token::new(&hashed).container(ID, None), None);

        let uuid = service_instance_id(&InstanceId::new(ID).unwrap());
        assert_eq!(
            Token::new(&uuid).container(&format!("containerd://{ID}"), None),
            Some(Form::ServiceInstanceId)
        );
        assert_eq!(
            Token::new(&uuid.to_uppercase()).container(ID, None),
            Some(Form::ServiceInstanceId)
        );
    }

    #[test]
    fn names_match_whole_hashed_or_as_a_uuid_never_by_a_prefix() {
        let name = "cart-5d8f7b6c9-abcde";
        assert_eq!(Token::new(name).name(name, None), Some(Form::Whole));
        assert_eq!(Token::new("cart-5d8f7b6c9").name(name, None), None);
        assert_eq!(
            Token::new("6b36b9df-0ca3-5eac-bb60-895617c8d5fc").name(name, None),
            Some(Form::ServiceInstanceId)
        );
        assert_eq!(
            Token::new(&hash_id(b"k", name)).name(name, Some("k")),
            Some(Form::Hashed)
        );
        assert_eq!(Token::new("").name("", None), None);
        assert_eq!(Token::new("").container("", None), None);
    }

    #[test]
    fn forms_in_words() {
        assert_eq!(Form::Whole.describe("full id"), "the full id");
        assert_eq!(Form::Prefix(12).describe("id"), "the short id");
        assert_eq!(
            Form::Prefix(16).describe("container id"),
            "the first 16 characters of the container id"
        );
        assert_eq!(
            Form::ServiceInstanceId.describe("pod name"),
            "the service.instance.id of the pod name"
        );
    }

    #[test]
    fn a_shell_word_is_plain_or_quoted() {
        assert_eq!(shell_word("web-1", true), "web-1");
        assert_eq!(shell_word("a'b\u{1b}", false), r"'a'\''b\x1b'");
    }
}

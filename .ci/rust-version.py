"""Every package of the workspace declares a rust-version at least that of every
dependency in its locked tree: normal and build dependencies for all, and dev
dependencies too for the packages that are never published (their tests are what they
are for). Reads `cargo metadata`; exits 1 naming each package that claims too little."""
import json
import subprocess
import sys

metadata = json.loads(
    subprocess.run(
        ["cargo", "metadata", "--format-version", "1", "--locked"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
)
packages = {p["id"]: p for p in metadata["packages"]}
nodes = {n["id"]: n for n in metadata["resolve"]["nodes"]}


def version(text):
    parts = [int(part) for part in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


failed = []
for member in metadata["workspace_members"]:
    package = packages[member]
    unpublished = package.get("publish") == []
    declared = package.get("rust_version")
    seen, stack, needed = set(), [member], ((0,), None)
    while stack:
        node = stack.pop()
        for dep in nodes[node]["deps"]:
            kinds = {k["kind"] for k in dep["dep_kinds"]}
            # A dependency's own dev-dependencies are never built for this package.
            if kinds == {"dev"} and not (node == member and unpublished):
                continue
            if dep["pkg"] in seen:
                continue
            seen.add(dep["pkg"])
            stack.append(dep["pkg"])
            wanted = packages[dep["pkg"]].get("rust_version")
            if wanted and version(wanted) > needed[0]:
                needed = (version(wanted), packages[dep["pkg"]]["name"])
    if needed[1] is None:
        continue
    if declared is None or version(declared) < needed[0]:
        failed.append(
            f"{package['name']} declares rust-version {declared}, but {needed[1]} needs "
            + ".".join(map(str, needed[0]))
        )
    else:
        print(f"{package['name']}: rust-version {declared} (its tree needs {'.'.join(map(str, needed[0]))}, {needed[1]})")
if failed:
    print("\n".join(failed), file=sys.stderr)
    sys.exit(1)

"""`scan image`: OCI layouts and `docker save` tarballs built here, whiteouts, config texts,
platform selection and damaged layers."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest

from leakwarden.errors import InputError
from leakwarden.model import Finding, ImageConfigProvenance, ImageLayerProvenance, ScanResult
from leakwarden.rules.catalog import Catalog
from leakwarden.scan.image import scan_image
from leakwarden.sources.image_hidden import LayerListing, hidden_by
from tests.fix_support import Fakes
from tests.image_builders import (
    Image,
    Layout,
    Step,
    digest,
    docker_save,
    fake_aws_key_id,
    fake_aws_secret,
    layer_tar,
    write_tar,
)


class Secrets:
    def __init__(self) -> None:
        rng = random.Random(14)
        fakes = Fakes(seed=14)
        self.key_id, self.aws_secret = fake_aws_key_id(rng), fake_aws_secret(rng)
        self.layer_token = fakes.github_pat()  # visible in the final filesystem
        self.env_token = fakes.github_pat()  # ENV in the config
        self.arg_token = fakes.github_pat()  # ARG: only in history


S = Secrets()
ADD_ENV = "COPY .env /app/.env # buildkit"
RM_ENV = "RUN /bin/sh -c rm /app/.env # buildkit"
ARG_STEP = f"RUN |1 NPM_TOKEN={S.arg_token} /bin/sh -c npm ci # buildkit"


def app_image(architecture: str = "amd64") -> Image:
    dotenv = f"AWS_ACCESS_KEY_ID={S.key_id}\nAWS_SECRET_ACCESS_KEY={S.aws_secret}\n".encode()
    config = f"github:\n  token: {S.layer_token}\n".encode()
    return Image(
        steps=[
            Step("/bin/sh -c #(nop) ADD file:4e1d2c in / ", layer_tar([("etc/os-release", b"ID=alpine\n")])),
            Step("ARG NPM_TOKEN"),
            Step(f"ENV GITHUB_TOKEN={S.env_token}"),
            Step(ADD_ENV, layer_tar([("app/.env", dotenv), ("app/config.yml", config), ("app/sh", None)])),
            Step(ARG_STEP, layer_tar([("app/node_modules/x.js", b"module.exports = 1\n")])),
            Step(RM_ENV, layer_tar([("app/.wh..env", b"")])),
        ],
        env=["PATH=/usr/local/bin:/usr/bin", f"GITHUB_TOKEN={S.env_token}"],
        architecture=architecture,
    )


def by_secret(result: ScanResult, secret: str) -> Finding:
    found = [f for f in result.findings if f.secret == secret or secret in f.parts.values()]
    assert found, f"{secret[:8]}… not found in {[f.rule_id for f in result.findings]}"
    return found[0]


def layer_places(finding: Finding) -> list[ImageLayerProvenance]:
    return [o.provenance for o in finding.occurrences if isinstance(o.provenance, ImageLayerProvenance)]


def config_places(finding: Finding) -> list[ImageConfigProvenance]:
    return [o.provenance for o in finding.occurrences if isinstance(o.provenance, ImageConfigProvenance)]


def oci_dir(tmp_path: Path, *images: Image) -> Path:
    layout = Layout()
    for image in images:
        layout.add(image, ref="registry.example/app:1.0")
    return layout.write_dir(tmp_path / "oci")


def test_whiteout_hides_a_dotenv_that_still_ships(tmp_path: Path, catalog: Catalog) -> None:
    image = app_image()
    result = scan_image(str(oci_dir(tmp_path, image)), catalog=catalog, jobs=1)
    places = layer_places(by_secret(result, S.key_id))
    assert len(places) == 1
    place = places[0]
    assert place.layer_path == "app/.env"
    assert place.layer_index == 1
    assert place.layer_digest == digest(image.layers[1])
    assert place.history_step == ADD_ENV
    assert place.deleted_but_shipped
    assert (place.hidden_by_index, place.hidden_by_step) == (3, RM_ENV)
    assert place.hidden_by_digest == digest(image.layers[3])
    assert place.hidden_how == "deleted by a whiteout"
    assert "does not remove it from the image" in place.note
    assert place.image == "registry.example/app:1.0"
    assert place.platform == "linux/amd64"
    assert place.path.startswith("registry.example/app:1.0@sha256:")
    assert place.path.endswith("!layer 1!app/.env")
    # A file no later layer touches is reported where it is, not hidden.
    visible = layer_places(by_secret(result, S.layer_token))
    assert [(p.layer_path, p.deleted_but_shipped) for p in visible] == [("app/config.yml", False)]
    assert "1 link or special file not followed" in " ".join(result.summary.notes)


def test_config_env_and_arg_in_history_are_scanned(tmp_path: Path, catalog: Catalog) -> None:
    result = scan_image(str(oci_dir(tmp_path, app_image())), catalog=catalog, jobs=1)
    env = config_places(by_secret(result, S.env_token))
    assert {(p.document, p.field) for p in env} == {("config", "Env[1]"), ("config", "history[2].created_by")}
    arg = config_places(by_secret(result, S.arg_token))
    assert [(p.field, p.history_step) for p in arg] == [("history[4].created_by", ARG_STEP)]
    assert arg[0].path.endswith("!config!history[4].created_by")


def test_manifest_annotations_are_scanned(tmp_path: Path, catalog: Catalog) -> None:
    image = app_image()
    token = Fakes(seed=99).github_pat()
    image.annotations = {"org.example.deploy-token": token}
    result = scan_image(str(oci_dir(tmp_path, image)), catalog=catalog, jobs=1)
    places = config_places(by_secret(result, token))
    assert [(p.document, p.field) for p in places] == [("manifest", "annotations[org.example.deploy-token]")]


def test_docker_save_tarball(tmp_path: Path, catalog: Catalog) -> None:
    image = app_image()
    path = docker_save(tmp_path / "app.tar", image, tag="shop/app:2.1")
    result = scan_image(str(path), catalog=catalog, jobs=1)
    place = layer_places(by_secret(result, S.key_id))[0]
    assert place.image == "shop/app:2.1"
    assert place.digest == digest(image.config())  # the image id
    assert place.layer_digest == json.loads(image.config())["rootfs"]["diff_ids"][1]
    assert (place.hidden_by_index, place.hidden_how) == (3, "deleted by a whiteout")
    assert config_places(by_secret(result, S.env_token))


def test_oci_archive(tmp_path: Path, catalog: Catalog) -> None:
    layout = Layout()
    layout.add(app_image(), ref="1.0")
    result = scan_image(str(layout.write_tar(tmp_path / "app-oci.tar")), catalog=catalog, jobs=1)
    place = layer_places(by_secret(result, S.key_id))[0]
    assert place.image == "1.0"
    assert place.deleted_but_shipped


def test_overwritten_and_opaque_whiteouts(tmp_path: Path, catalog: Catalog) -> None:
    fakes = Fakes(seed=3)
    first, second, kept = fakes.github_pat(), fakes.github_pat(), fakes.github_pat()
    image = Image(
        steps=[
            Step(
                "COPY . /srv",
                layer_tar(
                    [("srv/token.txt", f"t={first}\n".encode()), ("opt/x/creds", f"t={second}\n".encode())]
                ),
            ),
            Step("RUN truncate", layer_tar([("srv/token.txt", b"\n"), ("opt/x/.wh..wh..opq", b"")])),
            # The same content written again is still in the final filesystem: not hidden.
            Step("COPY keep /k", layer_tar([("k/a", f"t={kept}\n".encode())])),
            Step("COPY keep /k again", layer_tar([("k/a", f"t={kept}\n".encode()), ("k/b", b"b\n")])),
        ]
    )
    result = scan_image(str(oci_dir(tmp_path, image)), catalog=catalog, jobs=1)
    [overwritten] = layer_places(by_secret(result, first))
    assert (overwritten.hidden_by_index, overwritten.hidden_how) == (1, "overwritten")
    [emptied] = layer_places(by_secret(result, second))
    assert (emptied.hidden_by_index, emptied.hidden_how) == (1, "deleted by an opaque whiteout of opt/x")
    kept_places = layer_places(by_secret(result, kept))
    assert [(p.layer_index, p.deleted_but_shipped) for p in kept_places] == [(2, False), (3, False)]
    assert result.summary.duplicates == 1  # the same content is scanned once


def two_platforms(tmp_path: Path) -> tuple[Path, str, str]:
    fakes = Fakes(seed=5)
    amd, arm = fakes.github_pat(), fakes.github_pat()
    shared = layer_tar([("etc/os-release", b"ID=alpine\n")])
    images = []
    for arch, token in (("amd64", amd), ("arm64", arm)):
        images.append(
            Image(
                steps=[
                    Step("FROM", shared),
                    Step(f"COPY {arch}", layer_tar([("cfg", f"token: {token}\n".encode())])),
                ],
                architecture=arch,
            )
        )
    layout = Layout()
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json"}
    index["manifests"] = [layout.manifest(image) for image in images]
    descriptor = {
        "mediaType": "application/vnd.oci.image.index.v1+json",
        **layout.add_blob(json.dumps(index).encode()),
    }
    descriptor["annotations"] = {"org.opencontainers.image.ref.name": "multi:1"}
    layout.index["manifests"].append(descriptor)
    return layout.write_dir(tmp_path / "multi"), amd, arm


def test_platform_selection(tmp_path: Path, catalog: Catalog) -> None:
    path, amd, arm = two_platforms(tmp_path)
    result = scan_image(str(path), platform="linux/arm64", catalog=catalog, jobs=1)
    assert {f.secret for f in result.findings} == {arm}
    assert layer_places(result.findings[0])[0].platform == "linux/arm64"
    assert layer_places(result.findings[0])[0].image == "multi:1"
    assert any("offers linux/amd64, linux/arm64; scanned linux/arm64" in n for n in result.summary.notes)
    every = scan_image(str(path), all_platforms=True, catalog=catalog, jobs=1)
    assert {f.secret for f in every.findings} == {amd, arm}
    # The base layer both platforms share is read once: its file, each image's own file, and
    # each config's Cmd and two history steps.
    assert every.summary.blobs == 1 + 2 + 2 * 3


def test_unknown_platform_is_an_input_error(tmp_path: Path, catalog: Catalog) -> None:
    path, _, _ = two_platforms(tmp_path)
    with pytest.raises(
        InputError, match=r"no image for platform linux/s390x \(offered: linux/amd64, linux/arm64\)"
    ):
        scan_image(str(path), platform="linux/s390x", catalog=catalog, jobs=1)


def test_truncated_layer_is_reported_and_the_rest_scanned(tmp_path: Path, catalog: Catalog) -> None:
    image = app_image()
    early = Fakes(seed=8).github_pat()
    noise = random.Random(2).randbytes(48_000).hex().encode()  # text that barely compresses
    broken = layer_tar([("app/early.cfg", f"token: {early}\n".encode()), ("app/big.txt", noise)])
    image.steps[4].layer = broken[: len(broken) * 3 // 4]
    result = scan_image(str(oci_dir(tmp_path, image)), catalog=catalog, jobs=1)
    [skip] = [s for s in result.summary.skipped if s.reason == "corrupt layer"]
    assert skip.path.endswith("!layer 2!app/big.txt")
    assert "truncated" in skip.detail
    assert layer_places(by_secret(result, early))[0].layer_index == 2  # read before the cut
    assert layer_places(by_secret(result, S.key_id))[0].deleted_but_shipped  # the other layers
    assert result.summary.incomplete
    assert result.summary.untrusted() == "part of the image could not be read (1 corrupt layer)"


def test_missing_layer_and_not_an_image(tmp_path: Path, catalog: Catalog) -> None:
    image = app_image()
    root = oci_dir(tmp_path, image)
    (root / "blobs" / "sha256" / digest(image.layers[2]).split(":")[1]).unlink()
    result = scan_image(str(root), catalog=catalog, jobs=1)
    assert [s.reason for s in result.summary.skipped] == ["missing layer"]
    assert by_secret(result, S.key_id)
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="not an image"):
        scan_image(str(tmp_path / "empty"), catalog=catalog)
    (tmp_path / "bad.tar").write_bytes(b"no tar here")
    with pytest.raises(InputError, match="not a readable image archive"):
        scan_image(str(tmp_path / "bad.tar"), catalog=catalog)


def test_oversized_files_and_layers_are_skipped(tmp_path: Path, catalog: Catalog) -> None:
    image = app_image()
    result = scan_image(str(oci_dir(tmp_path, image)), max_file_size=20, catalog=catalog, jobs=1)
    assert {s.reason for s in result.summary.skipped} == {"too large"}
    assert any(s.path.endswith("!app/.env") for s in result.summary.skipped)
    small = scan_image(str(oci_dir(tmp_path / "b", image)), max_layer_size=100, catalog=catalog, jobs=1)
    assert all(s.detail.startswith("layer of") for s in small.summary.skipped)
    assert by_secret(small, S.env_token)  # the config is still scanned


def test_hidden_by_parent_whiteouts_and_replaced_directories() -> None:
    def listing(*entries: tuple[str, str | None]) -> LayerListing:
        made = LayerListing()
        for path, content in entries:
            made.add(path, content)
        return made

    path, own = "app/conf/.env", "a" * 40
    assert hidden_by(path, own, [(1, listing(("app/.wh.conf", "")))]) == (
        1,
        "deleted by a whiteout of app/conf/",
    )
    assert hidden_by(path, own, [(2, listing(("app", None)))]) == (2, "replaced: app became a file")
    assert hidden_by(path, own, [(1, listing((".wh..wh..opq", "")))]) == (
        1,
        "deleted by an opaque whiteout of /",
    )
    assert hidden_by(path, own, [(1, listing(("app/conf/other", "b" * 40)))]) is None
    # The first layer to touch the path decides: written again unchanged, then deleted later.
    later = [(1, listing((path, own))), (2, listing(("app/conf/.wh..env", "")))]
    assert hidden_by(path, own, later) is None


def test_gzipped_docker_save_with_an_oci_index_and_exclude(tmp_path: Path, catalog: Catalog) -> None:
    """Docker 25+ writes index.json beside manifest.json; the OCI index is read. Gzipped
    archives are read too, and --exclude applies to paths inside the layers."""
    layout = Layout()
    layout.add(app_image(), ref="shop/app:3")
    files = layout.files()
    files["manifest.json"] = b"[]"
    plain = write_tar(tmp_path / "save.tar", files)
    packed = tmp_path / "save.tar.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    result = scan_image(str(packed), catalog=catalog, jobs=1)
    assert layer_places(by_secret(result, S.key_id))[0].image == "shop/app:3"
    excluded = scan_image(str(packed), exclude=["app/.env"], catalog=catalog, jobs=1)
    assert not [f for f in excluded.findings if f.secret == S.key_id]
    assert layer_places(by_secret(excluded, S.layer_token))


def test_hostile_layouts_never_read_outside_the_image(tmp_path: Path, catalog: Catalog) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text(f"token: {Fakes(seed=11).github_pat()}\n")
    image = app_image()
    layout = Layout()
    descriptor = layout.add(image)
    manifest_name = "blobs/sha256/" + descriptor["digest"].split(":")[1]
    root = layout.write_dir(tmp_path / "oci")
    manifest = json.loads((root / manifest_name).read_text())
    manifest["layers"][0]["digest"] = "sha256:../../../secret.txt"
    (root / manifest_name).write_text(json.dumps(manifest))
    result = scan_image(str(root), catalog=catalog, jobs=1)
    assert [s.reason for s in result.summary.skipped] == ["unreadable image"]
    assert "not a digest" in result.summary.skipped[0].detail
    saved = docker_save(tmp_path / "save.tar", image)
    files = {"manifest.json": json.dumps([{"Config": "../secret.txt", "Layers": []}]).encode()}
    nothing = scan_image(str(write_tar(saved, files)), catalog=catalog, jobs=1)
    assert [s.reason for s in nothing.summary.skipped] == ["unreadable image"]
    assert nothing.summary.untrusted() == "part of the image could not be read (1 unreadable image)"
    (root / "index.json").write_text("[1, 2]")
    with pytest.raises(InputError, match="not a readable image"):
        scan_image(str(root), catalog=catalog)


def test_default_platform_is_the_hosts(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, amd, arm = two_platforms(tmp_path)
    monkeypatch.setattr("platform.machine", lambda: "aarch64")
    assert {f.secret for f in scan_image(str(path), catalog=catalog, jobs=1).findings} == {arm}
    monkeypatch.setattr("platform.machine", lambda: "x86_64")
    assert {f.secret for f in scan_image(str(path), catalog=catalog, jobs=1).findings} == {amd}


def test_total_bytes_limit_stops_reading_layers_not_the_scan(tmp_path: Path, catalog: Catalog) -> None:
    result = scan_image(str(oci_dir(tmp_path, app_image())), max_total_bytes=40, catalog=catalog, jobs=1)
    details = [s.detail for s in result.summary.skipped if s.reason == "too large"]
    assert any("max total bytes (40); layer not read" in d for d in details), details
    assert not [f for f in result.findings if f.secret == S.layer_token]  # its layer was never read
    assert by_secret(result, S.env_token)  # the config is still scanned

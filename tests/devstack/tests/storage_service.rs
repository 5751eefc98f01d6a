//! The local storage service over real HTTP, as the app and nft.storage's
//! clients use it: uploads in all three body shapes, tokens, the status and
//! check endpoints, the path gateway, CORS, and persistence across restarts.

use std::io::Read;
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use minty::ipfs::car::encode_car;
use minty::ipfs::pack::{pack_file, pack_files};
use minty::ipfs::profile::NFT_STORAGE;
use minty::ipfs::uri::IpfsPath;
use serde_json::{json, Value};

mod common;

pub use common::StorageServer;
use common::{agent, answer};

/// How most tests start the service: with or without a required token, and
/// with the test switches off.
trait Start {
    fn start(data_dir: &Path, required_token: Option<&str>) -> Self;
    fn start_with_switches(data_dir: &Path) -> Self;
}

impl Start for StorageServer {
    fn start(data_dir: &Path, required_token: Option<&str>) -> Self {
        Self::start_with(data_dir, required_token, false)
    }

    fn start_with_switches(data_dir: &Path) -> Self {
        Self::start_with(data_dir, None, true)
    }
}

fn body_bytes(response: ureq::Response) -> Vec<u8> {
    let mut bytes = Vec::new();
    response
        .into_reader()
        .read_to_end(&mut bytes)
        .expect("read the response body");
    bytes
}

fn body_json(response: ureq::Response) -> Value {
    response.into_json().expect("the answer is JSON")
}

fn upload(
    server: &StorageServer,
    token: Option<&str>,
    content_type: &str,
    body: &[u8],
) -> ureq::Response {
    let mut request = agent()
        .post(&server.url("/upload"))
        .set("Content-Type", content_type);
    if let Some(token) = token {
        request = request.set("Authorization", &format!("Bearer {token}"));
    }
    answer(request.send_bytes(body))
}

/// Uploads `body` as one raw file and returns the CID the service answered.
fn upload_raw(server: &StorageServer, token: &str, body: &[u8]) -> String {
    let response = upload(server, Some(token), "application/octet-stream", body);
    assert_eq!(response.status(), 200);
    let json = body_json(response);
    assert_eq!(json["ok"], true, "{json}");
    json["value"]["cid"]
        .as_str()
        .expect("the answer names a CID")
        .to_owned()
}

fn get(server: &StorageServer, path: &str, token: Option<&str>) -> ureq::Response {
    let mut request = agent().get(&server.url(path));
    if let Some(token) = token {
        request = request.set("Authorization", &format!("Bearer {token}"));
    }
    answer(request.call())
}

/// An `{ok: false, error: {message}}` answer's message, after checking the
/// status and the shape nft.storage's clients parse.
fn error_message(response: ureq::Response, status: u16) -> String {
    assert_eq!(response.status(), status);
    let json = body_json(response);
    assert_eq!(json["ok"], false, "{json}");
    let message = json["error"]["message"]
        .as_str()
        .unwrap_or_else(|| panic!("the error has no message: {json}"))
        .to_owned();
    assert!(!message.is_empty());
    message
}

const BOUNDARY: &str = "minty-test-boundary-7MA4YWxkTrZu0gW";

/// A multipart/form-data body as browsers send it (RFC 7578), with
/// `(field, file name, content type, bytes)` parts.
fn multipart_body(parts: &[(&str, Option<&str>, &str, &[u8])]) -> Vec<u8> {
    let mut body = Vec::new();
    for (field, file_name, content_type, bytes) in parts {
        body.extend_from_slice(format!("--{BOUNDARY}\r\n").as_bytes());
        let disposition = match file_name {
            Some(name) => format!("form-data; name=\"{field}\"; filename=\"{name}\""),
            None => format!("form-data; name=\"{field}\""),
        };
        body.extend_from_slice(format!("Content-Disposition: {disposition}\r\n").as_bytes());
        body.extend_from_slice(format!("Content-Type: {content_type}\r\n\r\n").as_bytes());
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

fn multipart_type() -> String {
    format!("multipart/form-data; boundary={BOUNDARY}")
}

/// Bytes that differ from chunk to chunk, so no two leaves share a CID.
fn patterned_bytes(length: usize) -> Vec<u8> {
    (0..length).map(|i| (i * 31 + i / 4093) as u8).collect()
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR not really an image";
const NOTES: &[u8] = b"Minted on a quiet afternoon.\n";

#[test]
fn a_raw_upload_gets_the_nft_storage_cid_and_the_gateway_serves_it() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start(data.path(), None);
    // Just over four 256 KiB chunks: a balanced tree, not a single leaf.
    let content = patterned_bytes(1_100_000);
    let expected = pack_file(NFT_STORAGE, None, &content);
    assert!(expected.blocks.len() > 2, "the content should span chunks");

    let response = upload(
        &server,
        Some("any-token"),
        "application/octet-stream",
        &content,
    );

    assert_eq!(response.status(), 200);
    let json = body_json(response);
    assert_eq!(json["ok"], true, "{json}");
    assert_eq!(json["value"]["cid"], expected.root.to_string());
    assert_eq!(json["value"]["size"], content.len());
    let served = get(&server, &format!("/ipfs/{}", expected.root), None);
    assert_eq!(served.status(), 200);
    assert!(
        body_bytes(served) == content,
        "the gateway served other bytes"
    );
}

#[test]
fn an_upload_without_a_token_is_refused_with_401() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start(data.path(), None);
    let content = b"no token, no storage";

    let missing = upload(&server, None, "text/plain", content);
    let not_bearer = answer(
        agent()
            .post(&server.url("/upload"))
            .set("Authorization", "Basic dXNlcjpwYXNz")
            .send_bytes(content),
    );
    let empty = upload(&server, Some(""), "text/plain", content);

    // A browser page can only read the reason if CORS covers errors too.
    assert_eq!(missing.header("Access-Control-Allow-Origin"), Some("*"));
    let message = error_message(missing, 401);
    assert!(message.contains("Authorization"), "{message}");
    error_message(not_bearer, 401);
    error_message(empty, 401);
    let cid = pack_file(NFT_STORAGE, None, content).root;
    error_message(get(&server, &format!("/check/{cid}"), None), 404);
}

#[test]
fn a_required_token_admits_only_that_token() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start(data.path(), Some("s3cret-token"));
    let content = b"for the right token only";

    let wrong = upload(&server, Some("guessed-token"), "text/plain", content);
    error_message(wrong, 401);
    let cid = pack_file(NFT_STORAGE, None, content).root;
    error_message(get(&server, &format!("/check/{cid}"), None), 404);

    let right = upload(&server, Some("s3cret-token"), "text/plain", content);
    assert_eq!(right.status(), 200);
    assert_eq!(body_json(right)["value"]["cid"], cid.to_string());
}

#[test]
fn multipart_files_become_a_directory_served_by_name() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start(data.path(), None);
    let body = multipart_body(&[
        ("file", Some("cat.png"), "image/png", PNG),
        // Only `file` parts are stored, as on nft.storage.
        ("meta", None, "text/plain", b"not a file"),
        ("file", Some("notes.txt"), "text/plain", NOTES),
    ]);
    let expected = pack_files(NFT_STORAGE, &[("cat.png", PNG), ("notes.txt", NOTES)]).unwrap();

    let response = upload(&server, Some("any-token"), &multipart_type(), &body);

    assert_eq!(response.status(), 200);
    let json = body_json(response);
    assert_eq!(json["value"]["cid"], expected.root.to_string(), "{json}");
    assert_eq!(
        json["value"]["files"],
        json!([
            {"name": "cat.png", "type": "image/png"},
            {"name": "notes.txt", "type": "text/plain"},
        ])
    );
    let image = get(&server, &format!("/ipfs/{}/cat.png", expected.root), None);
    assert_eq!(image.status(), 200);
    assert_eq!(image.content_type(), "image/png");
    assert_eq!(body_bytes(image), PNG);
    let notes = get(&server, &format!("/ipfs/{}/notes.txt", expected.root), None);
    assert_eq!(notes.status(), 200);
    assert_eq!(notes.content_type(), "text/plain");
    assert_eq!(body_bytes(notes), NOTES);
    let listing = get(&server, &format!("/ipfs/{}", expected.root), None);
    assert_eq!(listing.content_type(), "text/html");
    let listing = String::from_utf8(body_bytes(listing)).unwrap();
    assert!(listing.contains("cat.png") && listing.contains("notes.txt"));
    let missing = get(&server, &format!("/ipfs/{}/dog.png", expected.root), None);
    assert_eq!(missing.status(), 404);
}

#[test]
fn a_car_upload_is_stored_under_its_own_root() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start(data.path(), None);
    let content = patterned_bytes(600_000);
    let packed = pack_file(NFT_STORAGE, Some("a.txt"), &content);

    let response = upload(
        &server,
        Some("any-token"),
        "application/car",
        &packed.to_car(),
    );

    assert_eq!(response.status(), 200);
    let json = body_json(response);
    assert_eq!(json["value"]["cid"], packed.root.to_string(), "{json}");
    let served = get(&server, &format!("/ipfs/{}/a.txt", packed.root), None);
    assert_eq!(served.status(), 200);
    assert!(
        body_bytes(served) == content,
        "the gateway served other bytes"
    );
}

#[test]
fn a_car_with_a_tampered_block_is_refused_naming_that_block() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start(data.path(), None);
    let packed = pack_file(NFT_STORAGE, Some("a.txt"), &patterned_bytes(600_000));
    // A leaf in the middle: the blocks before it are sound, so the service
    // must check every block, not just the first or the root.
    let mut blocks = packed.blocks.clone();
    let tampered = 1;
    blocks[tampered].bytes[100] ^= 0x01;
    let tampered_cid = blocks[tampered].cid;

    let response = upload(
        &server,
        Some("any-token"),
        "application/car",
        &encode_car(&packed.root, &blocks),
    );

    let message = error_message(response, 400);
    assert!(message.contains(&tampered_cid.to_string()), "{message}");
    error_message(get(&server, &format!("/check/{}", packed.root), None), 404);
}

#[test]
fn check_answers_404_until_the_cid_is_uploaded() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start(data.path(), None);
    let content = b"checked before and after";
    let cid = pack_file(NFT_STORAGE, None, content).root;
    let path = format!("/check/{cid}");

    error_message(get(&server, &path, None), 404);
    upload_raw(&server, "any-token", content);
    // /check is public: no token needed.
    let after = get(&server, &path, None);

    assert_eq!(after.status(), 200);
    let json = body_json(after);
    assert_eq!(json["ok"], true);
    assert_eq!(json["value"]["cid"], cid.to_string());
    assert_eq!(json["value"]["pin"]["status"], "pinned");
}

#[test]
fn status_is_visible_only_to_the_uploaders_tokens() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start(data.path(), None);
    let content = b"mine, not yours";
    let cid = upload_raw(&server, "alice-token", content);
    let path = format!("/{cid}");

    let own = get(&server, &path, Some("alice-token"));
    assert_eq!(own.status(), 200);
    assert_eq!(body_json(own)["value"]["cid"], cid);
    error_message(get(&server, &path, Some("bob-token")), 404);
    error_message(get(&server, &path, None), 401);

    // Uploading the same content makes it Bob's upload too.
    assert_eq!(upload_raw(&server, "bob-token", content), cid);
    assert_eq!(get(&server, &path, Some("bob-token")).status(), 200);
    assert_eq!(get(&server, &path, Some("alice-token")).status(), 200);
}

#[test]
fn uploads_survive_a_restart_on_the_same_data_dir() {
    let data = tempfile::tempdir().unwrap();
    let content = patterned_bytes(300_000);
    let body = multipart_body(&[("file", Some("notes.txt"), "text/plain", NOTES)]);
    let (raw_cid, directory_cid, old_address) = {
        let server = StorageServer::start(data.path(), None);
        let raw_cid = upload_raw(&server, "alice-token", &content);
        let response = upload(&server, Some("alice-token"), &multipart_type(), &body);
        let directory_cid = body_json(response)["value"]["cid"]
            .as_str()
            .unwrap()
            .to_owned();
        (raw_cid, directory_cid, server.address)
    };
    // The first server is really gone, so the second serves from disk.
    assert!(TcpStream::connect_timeout(&old_address, Duration::from_secs(2)).is_err());

    let server = StorageServer::start(data.path(), None);

    let raw = get(&server, &format!("/ipfs/{raw_cid}"), None);
    assert_eq!(raw.status(), 200);
    assert!(body_bytes(raw) == content, "the gateway served other bytes");
    let notes = get(&server, &format!("/ipfs/{directory_cid}/notes.txt"), None);
    assert_eq!(body_bytes(notes), NOTES);
    assert_eq!(
        get(&server, &format!("/check/{raw_cid}"), None).status(),
        200
    );
    assert_eq!(
        get(&server, &format!("/{raw_cid}"), Some("alice-token")).status(),
        200
    );
    error_message(get(&server, &format!("/{raw_cid}"), Some("bob-token")), 404);
}

#[test]
fn cors_lets_any_page_call_the_api_and_read_the_gateway() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start(data.path(), None);

    let preflight = answer(
        agent()
            .request("OPTIONS", &server.url("/upload"))
            .set("Origin", "http://127.0.0.1:8080")
            .set("Access-Control-Request-Method", "POST")
            .set(
                "Access-Control-Request-Headers",
                "authorization,content-type",
            )
            .call(),
    );

    assert!(
        (200..300).contains(&preflight.status()),
        "{}",
        preflight.status()
    );
    assert_eq!(preflight.header("Access-Control-Allow-Origin"), Some("*"));
    let allowed_headers = preflight
        .header("Access-Control-Allow-Headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(
        allowed_headers
            .split(',')
            .any(|name| name.trim() == "authorization"),
        "{allowed_headers}"
    );
    let allowed_methods = preflight
        .header("Access-Control-Allow-Methods")
        .unwrap_or_default();
    assert!(allowed_methods.contains("POST"), "{allowed_methods}");

    let cid = upload_raw(&server, "any-token", b"read from another origin");
    let served = answer(
        agent()
            .get(&server.url(&format!("/ipfs/{cid}")))
            .set("Origin", "http://127.0.0.1:8080")
            .call(),
    );
    assert_eq!(served.header("Access-Control-Allow-Origin"), Some("*"));
}

#[test]
fn test_switches_do_not_exist_unless_enabled() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start(data.path(), None);
    for switch in ["/__test/lie-about-cids", "/__test/kubo-pin-errors"] {
        let response = agent().post(&server.url(switch)).send_string("on");
        let status = match response {
            Ok(response) => response.status(),
            Err(ureq::Error::Status(status, _)) => status,
            Err(error) => panic!("request failed: {error}"),
        };
        assert!(status == 404 || status == 405, "{switch} answered {status}");
    }
    // And uploads still get their honest CID.
    let cid = upload_raw(&server, "t", b"honest bytes");
    assert_eq!(
        cid,
        minty::ipfs::pack::pack_file(minty::ipfs::profile::NFT_STORAGE, None, b"honest bytes")
            .root
            .to_string()
    );
}

#[test]
fn the_gateway_serves_raw_blocks_that_match_their_cids() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start(data.path(), None);
    let packed = minty::ipfs::pack::pack_files(
        minty::ipfs::profile::NFT_STORAGE,
        &[("metadata.json", br#"{"name":"x"}"#.as_slice())],
    )
    .unwrap();
    let car = packed.to_car();
    let stored = body_json(answer(
        agent()
            .post(&server.url("/upload"))
            .set("Authorization", "Bearer t")
            .set("Content-Type", "application/car")
            .send_bytes(&car),
    ));
    assert_eq!(stored["value"]["cid"], packed.root.to_string());
    for block in &packed.blocks {
        let response = answer(
            agent()
                .get(&server.url(&format!("/ipfs/{}?format=raw", block.cid)))
                .call(),
        );
        assert_eq!(
            response.header("Content-Type"),
            Some("application/vnd.ipld.raw")
        );
        assert_eq!(body_bytes(response), block.bytes, "block {}", block.cid);
    }
    let by_accept = answer(
        agent()
            .get(&server.url(&format!("/ipfs/{}", packed.root)))
            .set("Accept", "application/vnd.ipld.raw")
            .call(),
    );
    assert_eq!(body_bytes(by_accept), packed.blocks.last().unwrap().bytes);
}

/// One dag-pb file node with `links` links to the same leaf of
/// `leaf_bytes` bytes, declaring `declared` bytes in all: a CAR of two
/// blocks that expands to `links * leaf_bytes`.
fn dag_bomb(links: usize, leaf_bytes: usize, declared: u64) -> (minty::ipfs::Cid, Vec<u8>) {
    use minty::ipfs::block::{DAG_PB_CODEC, RAW_CODEC};
    use minty::ipfs::dag_pb::{PbLink, PbNode};
    use minty::ipfs::unixfs::UnixFsData;
    use minty::ipfs::Block;

    let leaf = Block::new(RAW_CODEC, vec![7; leaf_bytes]);
    let mut data = UnixFsData::file_of_parts(vec![declared / links as u64; links]);
    data.filesize = Some(declared);
    let node = PbNode {
        links: vec![
            PbLink {
                hash: leaf.cid,
                name: Some(String::new()),
                tsize: Some(leaf_bytes as u64),
            };
            links
        ],
        data: Some(data.encode()),
    };
    let root = Block::new(DAG_PB_CODEC, node.encode());
    (root.cid, encode_car(&root.cid, &[root.clone(), leaf]))
}

#[test]
fn a_dag_bomb_gets_a_prompt_error_and_the_gateway_keeps_serving() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start(data.path(), None);
    let honest = upload_raw(&server, "t", NOTES);
    // 4,000 links to one 64 KiB leaf: 250 MiB from a 64 KiB CAR, more than
    // the service ever takes in one upload. Once declared truthfully, once
    // claiming 4,000 bytes.
    let leaf_bytes = 64 * 1024;
    for (declared, refusal) in [
        (4_000 * leaf_bytes as u64, "more than the"),
        (4_000, "for its part"),
    ] {
        let (root, car) = dag_bomb(4_000, leaf_bytes, declared);
        let stored = upload(&server, Some("t"), "application/car", &car);
        assert_eq!(stored.status(), 200);

        let started = std::time::Instant::now();
        let response = get(&server, &format!("/ipfs/{root}"), None);

        let status = response.status();
        let message = String::from_utf8(body_bytes(response)).unwrap();
        assert_eq!(
            status, 502,
            "the bomb declaring {declared} bytes: {message}"
        );
        assert!(message.contains(refusal), "{message}");
        assert!(started.elapsed() < Duration::from_secs(5), "{message}");
    }
    let after = get(&server, &format!("/ipfs/{honest}"), None);
    assert_eq!(after.status(), 200);
    assert_eq!(body_bytes(after), NOTES);
}

#[test]
fn names_are_decoded_segment_by_segment_and_dot_segments_refused() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start(data.path(), None);
    let body = multipart_body(&[
        ("file", Some("Artwork #1.png"), "image/png", PNG),
        ("file", Some("ünïcødé.txt"), "text/plain", NOTES),
    ]);
    let stored = upload(&server, Some("t"), &multipart_type(), &body);
    let root = body_json(stored)["value"]["cid"]
        .as_str()
        .unwrap()
        .to_owned();

    let image = get(&server, &format!("/ipfs/{root}/Artwork%20%231.png"), None);
    assert_eq!(image.status(), 200);
    assert_eq!(body_bytes(image), PNG);
    let notes = get(
        &server,
        &format!("/ipfs/{root}/%C3%BCn%C3%AFc%C3%B8d%C3%A9.txt"),
        None,
    );
    assert_eq!(notes.status(), 200);
    assert_eq!(body_bytes(notes), NOTES);
    // The listing links to each entry by its encoded name.
    let listing =
        String::from_utf8(body_bytes(get(&server, &format!("/ipfs/{root}"), None))).unwrap();
    assert!(
        listing.contains(&format!("/ipfs/{root}/Artwork%20%231.png")),
        "{listing}"
    );

    for hostile in [
        "..",
        "%2E%2E",
        "a%2Fb",
        "x/%2e",
        "Artwork%20%231.png%2F",
        "a//b",
    ] {
        let status = raw_get_status(&server, &format!("/ipfs/{root}/{hostile}"));
        assert_eq!(status, 400, "{hostile}");
    }
}

/// A directory of more than 1,000 entries is a HAMT: the gateway finds
/// each entry through the shards its name hashes to, nested ones and
/// unicode names included, lists them all, and answers 404 for a name
/// that is not there.
#[test]
fn the_gateway_serves_paths_inside_a_sharded_directory() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start(data.path(), None);
    let mut files: Vec<(String, Vec<u8>)> = (0..1_500)
        .map(|i| (format!("#{i}.json"), format!("{{\"n\":{i}}}").into_bytes()))
        .collect();
    files.push(("ünïcødé 🎨.png".into(), PNG.to_vec()));
    files.push(("sub dir/notes.txt".into(), NOTES.to_vec()));
    let packed = pack_files(NFT_STORAGE, &files).unwrap();
    let stored = upload(&server, Some("t"), "application/car", &packed.to_car());
    assert_eq!(stored.status(), 200);

    let url = |path: &str| {
        IpfsPath::new(packed.root, path.split('/'))
            .unwrap()
            .gateway_url("/ipfs/")
    };
    for (path, content) in files.iter().step_by(149).chain(files.iter().rev().take(2)) {
        let served = get(&server, &url(path), None);
        assert_eq!(served.status(), 200, "{path}");
        assert_eq!(body_bytes(served), *content, "{path}");
    }
    let missing = get(&server, &url("#1500.json"), None);
    assert_eq!(missing.status(), 404);

    let root = format!("/ipfs/{}", packed.root);
    let listing = String::from_utf8(body_bytes(get(&server, &root, None))).unwrap();
    assert_eq!(listing.matches("<li>").count(), 1_502);
    assert!(listing.contains(&url("ünïcødé 🎨.png")), "{listing}");
    assert!(listing.contains(&url("sub dir")), "{listing}");
}

/// The status of a GET sent exactly as written: HTTP clients built on
/// URL parsers remove dot segments (even "%2E%2E") before sending.
fn raw_get_status(server: &StorageServer, path: &str) -> u16 {
    use std::io::Write;
    let mut stream = TcpStream::connect(server.address).expect("connect to the service");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        server.address
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {answer:?}"))
}

/// `POST /api/v0/dag/import` with `cars` as multipart `file` parts, as the
/// app (and `ipfs dag import`) sends them.
fn dag_import(server: &StorageServer, query: &str, cars: &[&[u8]]) -> ureq::Response {
    let parts: Vec<(&str, Option<&str>, &str, &[u8])> = cars
        .iter()
        .map(|car| ("file", Some("upload.car"), "application/octet-stream", *car))
        .collect();
    answer(
        agent()
            .post(&server.url(&format!("/api/v0/dag/import{query}")))
            .set("Content-Type", &multipart_type())
            .send_bytes(&multipart_body(&parts)),
    )
}

fn ndjson(response: ureq::Response) -> Vec<Value> {
    String::from_utf8(body_bytes(response))
        .expect("ndjson is text")
        .lines()
        .map(|line| serde_json::from_str(line).expect("each line is JSON"))
        .collect()
}

fn pin_ls(server: &StorageServer, cid: &str) -> ureq::Response {
    answer(
        agent()
            .post(&server.url(&format!("/api/v0/pin/ls?arg={cid}")))
            .call(),
    )
}

#[test]
fn kubo_dag_import_stores_pins_and_answers_kubos_ndjson() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start(data.path(), None);
    let content = patterned_bytes(600_000);
    let packed = pack_file(NFT_STORAGE, Some("a.txt"), &content);
    let root = packed.root.to_string();
    // Before: Kubo's error for a CID that is not pinned.
    let before = pin_ls(&server, &root);
    assert_eq!(before.status(), 500);
    assert_eq!(
        body_json(before),
        json!({"Message": format!("path '{root}' is not pinned"), "Code": 0, "Type": "error"})
    );

    let response = dag_import(&server, "?pin-roots=true&stats=true", &[&packed.to_car()]);

    assert_eq!(response.status(), 200);
    assert_eq!(
        ndjson(response),
        [
            json!({"Root": {"Cid": {"/": root}, "PinErrorMsg": ""}}),
            json!({"Stats": {"BlockCount": packed.blocks.len(),
                "BlockBytesCount": packed.blocks.iter().map(|b| b.bytes.len()).sum::<usize>()}}),
        ]
    );
    let pinned = pin_ls(&server, &root);
    assert_eq!(pinned.status(), 200);
    assert_eq!(
        body_json(pinned),
        json!({"Keys": {root.clone(): {"Type": "recursive", "Name": ""}}})
    );
    // The same blockstore: the gateway and nft.storage's check see it.
    let served = get(&server, &format!("/ipfs/{root}/a.txt"), None);
    assert!(body_bytes(served) == content, "the gateway serves the file");
    assert_eq!(get(&server, &format!("/check/{root}"), None).status(), 200);
}

#[test]
fn kubo_dag_import_refuses_a_tampered_car_in_kubos_error_shape() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start(data.path(), None);
    let packed = pack_file(NFT_STORAGE, Some("a.txt"), &patterned_bytes(600_000));
    let mut blocks = packed.blocks.clone();
    blocks[1].bytes[100] ^= 0x01;
    let tampered_cid = blocks[1].cid;

    let response = dag_import(&server, "", &[&encode_car(&packed.root, &blocks)]);

    assert_eq!(response.status(), 500);
    let json = body_json(response);
    assert_eq!(json["Type"], "error");
    assert_eq!(json["Code"], 0);
    let message = json["Message"].as_str().unwrap();
    assert!(message.contains(&tampered_cid.to_string()), "{message}");
    assert_eq!(pin_ls(&server, &packed.root.to_string()).status(), 500);
}

#[test]
fn kubo_reports_a_root_it_cannot_pin_in_pin_error_msg() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start(data.path(), None);
    let packed = pack_file(NFT_STORAGE, Some("a.txt"), &patterned_bytes(1_000));
    // A CAR that names a root but carries none of its blocks.
    let response = dag_import(
        &server,
        "?pin-roots=true",
        &[&encode_car(&packed.root, &[])],
    );
    assert_eq!(response.status(), 200);
    let lines = ndjson(response);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["Root"]["Cid"]["/"], packed.root.to_string());
    let pin_error = lines[0]["Root"]["PinErrorMsg"].as_str().unwrap();
    assert!(pin_error.contains("could not find"), "{pin_error}");
    assert_eq!(pin_ls(&server, &packed.root.to_string()).status(), 500);
}

#[test]
fn kubo_rpc_takes_post_only_and_needs_a_file() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start(data.path(), None);
    assert_eq!(get(&server, "/api/v0/dag/import", None).status(), 405);
    assert_eq!(get(&server, "/api/v0/pin/ls?arg=x", None).status(), 405);
    let response = dag_import(&server, "", &[]);
    assert_eq!(response.status(), 400);
    let json = body_json(response);
    assert_eq!(
        (json["Code"].clone(), json["Type"].clone()),
        (json!(1), json!("error"))
    );
}

/// Arms `POST /__test/fail-uploads` with `fault`.
fn fail_uploads(server: &StorageServer, fault: Value) {
    let response = answer(
        agent()
            .post(&server.url("/__test/fail-uploads"))
            .send_json(fault),
    );
    assert_eq!(response.status(), 204);
}

/// Posts a CAR to `/upload` over a raw connection; see `post_raw`.
fn post_car_raw(server: &StorageServer, car: &[u8], patience: Duration) -> (usize, Vec<u8>) {
    post_raw(server, "/upload", "application/car", car, patience)
}

/// Posts `body` over a raw connection, writing as much of it as the service
/// reads within `patience`, and returns the bytes sent and everything the
/// service wrote back before closing the connection or falling silent.
fn post_raw(
    server: &StorageServer,
    path: &str,
    content_type: &str,
    body: &[u8],
    patience: Duration,
) -> (usize, Vec<u8>) {
    use std::io::Write;
    let mut stream = TcpStream::connect(server.address).expect("connect");
    stream.set_write_timeout(Some(patience)).unwrap();
    stream.set_read_timeout(Some(patience)).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer t\r\n\
         Content-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
        server.address,
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    let mut sent = 0;
    for chunk in body.chunks(16 * 1024) {
        if stream.write_all(chunk).is_err() {
            break;
        }
        sent += chunk.len();
    }
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    (sent, answer)
}

fn large_car() -> (minty::ipfs::Cid, Vec<u8>) {
    let packed = pack_file(NFT_STORAGE, Some("big.bin"), &patterned_bytes(8 << 20));
    (packed.root, packed.to_car())
}

#[test]
fn a_drop_fault_reads_part_of_the_body_and_closes_without_answering() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start_with_switches(data.path());
    let (root, car) = large_car();
    fail_uploads(
        &server,
        json!({"api": "nft-storage", "fault": "drop", "count": 1}),
    );

    let (sent, answer) = post_car_raw(&server, &car, Duration::from_secs(10));

    assert!(sent > 0, "the service read nothing");
    assert!(
        answer.is_empty(),
        "the service answered: {}",
        String::from_utf8_lossy(&answer[..answer.len().min(200)])
    );
    error_message(get(&server, &format!("/check/{root}"), None), 404);
    // Only the next upload drops: the one after it is stored.
    let response = upload(&server, Some("t"), "application/car", &car);
    assert_eq!(response.status(), 200);
    assert_eq!(get(&server, &format!("/check/{root}"), None).status(), 200);
}

#[test]
fn a_stall_fault_neither_reads_nor_answers() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start_with_switches(data.path());
    let (root, car) = large_car();
    fail_uploads(
        &server,
        json!({"api": "nft-storage", "fault": "stall", "count": 1}),
    );

    let (sent, answer) = post_car_raw(&server, &car, Duration::from_secs(2));

    assert!(
        sent < car.len(),
        "the service read the whole {} byte body",
        car.len()
    );
    assert!(answer.is_empty(), "the service answered a stalled upload");
    error_message(get(&server, &format!("/check/{root}"), None), 404);
    let response = upload(&server, Some("t"), "application/car", &car);
    assert_eq!(response.status(), 200);
}

#[test]
fn a_status_fault_keeps_its_shape_and_counts_down() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start_with_switches(data.path());
    fail_uploads(
        &server,
        json!({"api": "nft-storage", "status": 429, "count": 2, "retryAfter": 3}),
    );

    for _ in 0..2 {
        let response = upload(&server, Some("t"), "application/octet-stream", b"busy");
        assert_eq!(response.header("Retry-After"), Some("3"));
        error_message(response, 429);
    }
    upload_raw(&server, "t", b"busy");
}

#[test]
fn a_car_split_in_parts_is_queued_until_its_last_part_and_then_served_whole() {
    use minty::ipfs::car::{car_header, write_car_block};
    use minty::ipfs::car_split::plan_car_parts;

    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start(data.path(), None);
    let content = patterned_bytes(3 << 20);
    let packed = pack_file(NFT_STORAGE, Some("big.bin"), &content);
    let root = packed.root.to_string();
    // Parts of at most 1 MiB, as the app makes parts of at most 50 MiB.
    let header = car_header(&[packed.root]).len() as u64;
    let sections: Vec<Vec<u8>> = packed
        .blocks
        .iter()
        .map(|block| {
            let mut section = Vec::new();
            write_car_block(&mut section, block).unwrap();
            section
        })
        .collect();
    let sizes: Vec<u64> = sections.iter().map(|s| s.len() as u64).collect();
    let parts = plan_car_parts(header, &sizes, 1 << 20);
    assert!(parts.len() >= 3, "{} parts", parts.len());

    for (number, part) in parts.iter().enumerate() {
        let mut car = car_header(&[packed.root]);
        sections[part.clone()].iter().for_each(|s| car.extend(s));
        assert!(car.len() as u64 <= 1 << 20);
        let response = upload(&server, Some("t"), "application/car", &car);
        assert_eq!(response.status(), 200, "part {number}");
        let answer = body_json(response);
        assert_eq!(answer["value"]["cid"], root, "each part names the root");
        let last = number + 1 == parts.len();
        let checked = body_json(get(&server, &format!("/check/{root}"), None));
        assert_eq!(
            checked["value"]["pin"]["status"],
            if last { "pinned" } else { "queued" },
            "after part {number}: {checked}"
        );
        if !last {
            let early = get(&server, &format!("/ipfs/{root}/big.bin"), None);
            assert_ne!(early.status(), 200, "served before its last part");
        }
    }
    let served = get(&server, &format!("/ipfs/{root}/big.bin"), None);
    assert_eq!(served.status(), 200);
    assert!(body_bytes(served) == content, "the gateway serves it whole");
}

// Pinata's stand-in: pinFileToIPFS, the v3 resumable uploads and the file list.
#[path = "storage_service/pinata.rs"]
mod pinata;

// The fault switch, one API at a time, and Kubo's dag/import under it.
#[path = "storage_service/faults.rs"]
mod faults;

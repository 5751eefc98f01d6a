//! The Pinning Services API stand-ins over real HTTP, as the app and
//! `ipfs pin remote` use them (https://ipfs.github.io/pinning-services-api-spec/):
//! the PinStatus shape and 202, the status going queued → pinning → pinned
//! as the DAG is copied through the gateway, `failed` for a CID nobody has,
//! the filters of `GET /pins`, DELETE, tokens, and the two stand-ins apart.

use std::path::Path;
use std::time::{Duration, Instant};

use minty::ipfs::pack::pack_file;
use minty::ipfs::profile::NFT_STORAGE;
use minty_devstack::storage::psa::FIND_TIMEOUT;
use serde_json::{json, Value};

const STORAGE_TOKEN: &str = "storage-token";
const TOKEN_A: &str = "storage-token-psa-a";
const TOKEN_B: &str = "storage-token-psa-b";

mod common;

use common::{agent, answer, StorageServer as Server};

/// The storage service with its stand-ins, a required token and the test
/// switches on.
fn start(data_dir: &Path) -> Server {
    Server::start_with(data_dir, Some(STORAGE_TOKEN), true)
}

/// Stores `bytes` as one file through the nft.storage API; returns its CID.
fn upload(server: &Server, bytes: &[u8]) -> String {
    let response = answer(
        agent()
            .post(&server.url("/upload"))
            .set("Authorization", &format!("Bearer {STORAGE_TOKEN}"))
            .send_bytes(bytes),
    );
    let json: Value = response.into_json().unwrap();
    json["value"]["cid"].as_str().unwrap().to_owned()
}

fn add_pin(server: &Server, service: &str, token: Option<&str>, cid: &str) -> (u16, Value) {
    let mut request = agent()
        .post(&server.url(&format!("/psa/{service}/pins")))
        .set("Content-Type", "application/json");
    if let Some(token) = token {
        request = request.set("Authorization", &format!("Bearer {token}"));
    }
    let response =
        answer(request.send_string(&json!({"cid": cid, "name": "test pin"}).to_string()));
    (
        response.status(),
        response.into_json().unwrap_or(Value::Null),
    )
}

fn get(server: &Server, path: &str, token: &str) -> (u16, Value) {
    let response = answer(
        agent()
            .get(&server.url(path))
            .set("Authorization", &format!("Bearer {token}"))
            .call(),
    );
    (
        response.status(),
        response.into_json().unwrap_or(Value::Null),
    )
}

/// Every status request `requestid` goes through until it is final, asked
/// every 100 ms.
fn statuses_until_final(
    server: &Server,
    service: &str,
    token: &str,
    requestid: &str,
) -> (Vec<String>, Value) {
    let deadline = Instant::now() + FIND_TIMEOUT + Duration::from_secs(20);
    let mut seen: Vec<String> = Vec::new();
    loop {
        let (status, pin) = get(server, &format!("/psa/{service}/pins/{requestid}"), token);
        assert_eq!(status, 200, "{pin}");
        let current = pin["status"].as_str().unwrap().to_owned();
        if seen.last() != Some(&current) {
            seen.push(current.clone());
        }
        if current == "pinned" || current == "failed" {
            return (seen, pin);
        }
        assert!(Instant::now() < deadline, "still {current} after {seen:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn block_count(dir: &Path, service: &str) -> usize {
    std::fs::read_dir(dir.join("psa").join(service).join("blocks"))
        .map(|entries| entries.count())
        .unwrap_or(0)
}

#[test]
fn a_pin_is_accepted_with_202_and_a_pin_status() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let cid = upload(&server, b"hello pinning");
    let (status, pin) = add_pin(&server, "a", Some(TOKEN_A), &cid);
    assert_eq!(status, 202, "{pin}");
    assert!(pin["requestid"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(pin["status"], "queued");
    let created = pin["created"].as_str().unwrap();
    assert!(
        created.len() == 20 && created.ends_with('Z') && created.as_bytes()[10] == b'T',
        "{created}"
    );
    assert_eq!(pin["pin"]["cid"], cid);
    assert_eq!(pin["pin"]["name"], "test pin");
    assert!(pin["pin"]["origins"].is_array() && pin["pin"]["meta"].is_object());
    let delegates = pin["delegates"].as_array().unwrap();
    assert!(!delegates.is_empty() && delegates[0].as_str().unwrap().starts_with("/ip4/"));
    assert!(pin["info"].is_object());
}

#[test]
fn a_pin_goes_queued_pinning_pinned_as_its_dag_is_copied_through_the_gateway() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    // Several chunks, so the stand-in must walk links to copy it all.
    let bytes: Vec<u8> = (0..700_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let expected_blocks = pack_file(NFT_STORAGE, None, &bytes).blocks.len();
    assert!(expected_blocks > 2);
    let cid = upload(&server, &bytes);
    let (_, pin) = add_pin(&server, "a", Some(TOKEN_A), &cid);
    let requestid = pin["requestid"].as_str().unwrap();
    let (seen, pin) = statuses_until_final(&server, "a", TOKEN_A, requestid);
    assert_eq!(seen, ["queued", "pinning", "pinned"], "{pin}");
    assert_eq!(block_count(dir.path(), "a"), expected_blocks);
    assert_eq!(
        block_count(dir.path(), "b"),
        0,
        "the other stand-in keeps nothing"
    );

    let (_, listed) = get(&server, &format!("/psa/a/pins?cid={cid}"), TOKEN_A);
    assert_eq!(listed["count"], 1);
    assert_eq!(listed["results"][0]["requestid"], requestid);
    let (_, queued) = get(
        &server,
        &format!("/psa/a/pins?cid={cid}&status=queued,pinning"),
        TOKEN_A,
    );
    assert_eq!(queued["count"], 0);
    let (status, odd) = get(&server, "/psa/a/pins?status=done", TOKEN_A);
    assert_eq!(
        (status, odd["error"]["reason"].as_str()),
        (400, Some("BAD_REQUEST"))
    );
}

#[test]
fn a_cid_nobody_has_stays_queued_then_fails_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let nowhere = pack_file(NFT_STORAGE, None, b"never uploaded anywhere")
        .root
        .to_string();
    let started = Instant::now();
    let (status, pin) = add_pin(&server, "b", Some(TOKEN_B), &nowhere);
    assert_eq!(status, 202);
    let (seen, pin) =
        statuses_until_final(&server, "b", TOKEN_B, pin["requestid"].as_str().unwrap());
    assert_eq!(seen, ["queued", "failed"], "{pin}");
    assert!(started.elapsed() >= FIND_TIMEOUT);
    let details = pin["info"]["status_details"].as_str().unwrap();
    assert!(
        details.contains("no provider found") && details.contains(&nowhere),
        "{details}"
    );
}

#[test]
fn blocks_the_gateway_alters_fail_the_pin() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let cid = upload(&server, b"to be corrupted on the way");
    answer(
        agent()
            .post(&server.url("/__test/corrupt-gateway"))
            .send_string("on"),
    );
    let (_, pin) = add_pin(&server, "a", Some(TOKEN_A), &cid);
    let (seen, pin) =
        statuses_until_final(&server, "a", TOKEN_A, pin["requestid"].as_str().unwrap());
    assert_eq!(seen.last().map(String::as_str), Some("failed"));
    assert!(pin["info"]["status_details"]
        .as_str()
        .unwrap()
        .contains("does not match"));
}

#[test]
fn tokens_are_required_and_each_stand_in_has_its_own() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let cid = upload(&server, b"tokens");
    for (service, token) in [
        ("a", None),
        ("a", Some(TOKEN_B)),
        ("b", Some(TOKEN_A)),
        ("b", Some(STORAGE_TOKEN)),
    ] {
        let (status, body) = add_pin(&server, service, token, &cid);
        assert_eq!(status, 401, "{service} {token:?}");
        assert_eq!(body["error"]["reason"], "UNAUTHORIZED");
        assert!(body["error"]["details"]
            .as_str()
            .is_some_and(|d| !d.is_empty()));
    }
    let (status, _) = get(&server, "/psa/b/pins", TOKEN_A);
    assert_eq!(status, 401);
}

#[test]
fn the_stand_ins_keep_separate_pins_and_delete_answers_202() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let cid = upload(&server, b"separate");
    let (_, pin) = add_pin(&server, "a", Some(TOKEN_A), &cid);
    let requestid = pin["requestid"].as_str().unwrap();
    let (status, _) = get(&server, &format!("/psa/b/pins/{requestid}"), TOKEN_B);
    assert_eq!(status, 404, "b knows nothing of a's requests");
    let delete = |service: &str, token: &str| {
        answer(
            agent()
                .delete(&server.url(&format!("/psa/{service}/pins/{requestid}")))
                .set("Authorization", &format!("Bearer {token}"))
                .call(),
        )
        .status()
    };
    assert_eq!(delete("b", TOKEN_B), 404);
    assert_eq!(delete("a", TOKEN_A), 202);
    let (status, body) = get(&server, &format!("/psa/a/pins/{requestid}"), TOKEN_A);
    assert_eq!(
        (status, body["error"]["reason"].as_str()),
        (404, Some("NOT_FOUND"))
    );
}

#[test]
fn pages_may_call_the_stand_ins_with_a_token_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let response = answer(
        agent()
            .request("OPTIONS", &server.url("/psa/b/pins/b-1"))
            .set("Origin", "http://127.0.0.1:8080")
            .set("Access-Control-Request-Method", "DELETE")
            .set(
                "Access-Control-Request-Headers",
                "authorization, content-type",
            )
            .call(),
    );
    assert!(response.status() < 300);
    let methods = response.header("access-control-allow-methods").unwrap();
    let headers = response
        .header("access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    assert!(methods.contains("DELETE") && methods.contains("POST"));
    assert!(headers.contains("authorization") && headers.contains("content-type"));
}

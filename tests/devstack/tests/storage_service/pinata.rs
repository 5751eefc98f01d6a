//! Pinata's stand-in over real HTTP, as the app calls it: `pinFileToIPFS`'s
//! shapes and CIDs, `isDuplicate`, the JWT check, TUS offsets and resume,
//! the default-private quirk, and the faults that apply to it.

use super::*;

const JWT: &str = "pinata-test-jwt";
const OPTIONS: &str = r#"{"cidVersion":1,"wrapWithDirectory":true}"#;

fn pin_file(
    server: &StorageServer,
    token: &str,
    parts: &[(&str, Option<&str>, &str, &[u8])],
) -> ureq::Response {
    answer(
        agent()
            .post(&server.url("/pinning/pinFileToIPFS"))
            .set("Authorization", &format!("Bearer {token}"))
            .set("Content-Type", &multipart_type())
            .send_bytes(&multipart_body(parts)),
    )
}

/// The app's request: the file, then `pinataOptions` and `pinataMetadata`.
pub(super) fn pin_named(server: &StorageServer, name: &str, bytes: &[u8]) -> ureq::Response {
    let metadata = json!({ "name": name }).to_string();
    pin_file(
        server,
        JWT,
        &[
            ("file", Some(name), "image/png", bytes),
            ("pinataOptions", None, "text/plain", OPTIONS.as_bytes()),
            ("pinataMetadata", None, "text/plain", metadata.as_bytes()),
        ],
    )
}

/// `{"error": {"reason", "details"}}`, after checking the status.
pub(super) fn pinata_reason(response: ureq::Response, status: u16) -> String {
    assert_eq!(response.status(), status);
    let json = body_json(response);
    assert!(json["error"]["details"].is_string(), "{json}");
    json["error"]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

pub(super) fn tus_create(server: &StorageServer, length: usize, metadata: &str) -> String {
    let created = answer(
        agent()
            .post(&server.url("/v3/files"))
            .set("Authorization", &format!("Bearer {JWT}"))
            .set("Tus-Resumable", "1.0.0")
            .set("Upload-Length", &length.to_string())
            .set("Upload-Metadata", metadata)
            .call(),
    );
    assert_eq!(created.status(), 201);
    assert_eq!(created.header("Tus-Resumable"), Some("1.0.0"));
    created
        .header("Location")
        .expect("a created upload has a Location")
        .to_owned()
}

pub(super) fn tus_patch(location: &str, offset: usize, chunk: &[u8]) -> ureq::Response {
    answer(
        agent()
            .request("PATCH", location)
            .set("Authorization", &format!("Bearer {JWT}"))
            .set("Tus-Resumable", "1.0.0")
            .set("Upload-Offset", &offset.to_string())
            .set("Content-Type", "application/offset+octet-stream")
            .send_bytes(chunk),
    )
}

pub(super) fn tus_offset(location: &str) -> usize {
    let head = answer(
        agent()
            .head(location)
            .set("Authorization", &format!("Bearer {JWT}"))
            .set("Tus-Resumable", "1.0.0")
            .call(),
    );
    assert_eq!(head.status(), 200);
    head.header("Upload-Offset")
        .and_then(|offset| offset.parse().ok())
        .expect("HEAD answers Upload-Offset")
}

/// `filename big.bin, filetype application/octet-stream`, and the network
/// when given.
pub(super) fn metadata(network: Option<&str>) -> String {
    let mut pairs = vec![
        "filename YmlnLmJpbg==".to_owned(),
        "filetype YXBwbGljYXRpb24vb2N0ZXQtc3RyZWFt".to_owned(),
    ];
    if let Some(network) = network {
        use base64::Engine;
        let value = base64::engine::general_purpose::STANDARD.encode(network);
        pairs.push(format!("network {value}"));
    }
    pairs.join(",")
}

#[test]
fn pin_file_to_ipfs_answers_pinatas_shape_with_the_apps_directory_cid() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start(data.path(), Some(JWT));
    let expected = pack_file(NFT_STORAGE, Some("cat #1.png"), PNG).root;

    let first = body_json(pin_named(&server, "cat #1.png", PNG));
    assert_eq!(first["IpfsHash"], expected.to_string(), "{first}");
    let dag_size: usize = pack_file(NFT_STORAGE, Some("cat #1.png"), PNG)
        .blocks
        .iter()
        .map(|block| block.bytes.len())
        .sum();
    assert_eq!(
        first["PinSize"], dag_size,
        "PinSize is the DAG's size, a number"
    );
    let timestamp = first["Timestamp"].as_str().expect("Timestamp is a string");
    assert!(
        timestamp.len() >= 20 && timestamp.as_bytes()[10] == b'T',
        "ISO 8601: {timestamp}"
    );
    assert_eq!(first["isDuplicate"], false);
    let again = body_json(pin_named(&server, "cat #1.png", PNG));
    assert_eq!(again["IpfsHash"], expected.to_string());
    assert_eq!(again["isDuplicate"], true, "the same CID was pinned before");

    let served = get(&server, &format!("/ipfs/{expected}/cat%20%231.png"), None);
    assert_eq!(served.status(), 200);
    assert_eq!(body_bytes(served), PNG);
    let listed = body_json(get(
        &server,
        &format!("/v3/files/public?cid={expected}"),
        Some(JWT),
    ));
    assert_eq!(
        listed["data"]["files"][0]["cid"],
        expected.to_string(),
        "{listed}"
    );
    let other = pack_file(NFT_STORAGE, None, b"never pinned").root;
    let unlisted = body_json(get(
        &server,
        &format!("/v3/files/public?cid={other}"),
        Some(JWT),
    ));
    assert_eq!(unlisted["data"]["files"], json!([]));
}

#[test]
fn pin_file_to_ipfs_honours_wrap_and_refuses_a_cid_version_it_cannot_compute() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start(data.path(), None);
    let bare = pin_file(
        &server,
        "any",
        &[
            ("file", Some("notes.txt"), "text/plain", NOTES),
            ("pinataOptions", None, "text/plain", br#"{"cidVersion":1}"#),
        ],
    );
    assert_eq!(
        body_json(bare)["IpfsHash"],
        pack_file(NFT_STORAGE, None, NOTES).root.to_string()
    );
    // Pinata's default is CIDv0, which this stand-in does not compute.
    let default = pin_file(
        &server,
        "any",
        &[("file", Some("notes.txt"), "text/plain", NOTES)],
    );
    assert_eq!(pinata_reason(default, 400), "INVALID_REQUEST");
}

#[test]
fn a_wrong_or_missing_jwt_is_refused_with_invalid_credentials() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start(data.path(), Some(JWT));
    let wrong = pin_file(
        &server,
        "not-the-jwt",
        &[("file", Some("a.txt"), "text/plain", NOTES)],
    );
    assert_eq!(pinata_reason(wrong, 401), "INVALID_CREDENTIALS");
    let missing = answer(
        agent()
            .post(&server.url("/v3/files"))
            .set("Tus-Resumable", "1.0.0")
            .set("Upload-Length", "10")
            .call(),
    );
    assert_eq!(pinata_reason(missing, 401), "INVALID_CREDENTIALS");
}

#[test]
fn a_resumable_upload_takes_chunks_at_their_offsets_and_names_the_file_cid() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start_with_switches(data.path());
    let bytes = patterned_bytes(3 << 20);
    let expected = pack_file(NFT_STORAGE, None, &bytes).root;
    let location = tus_create(&server, bytes.len(), &metadata(Some("public")));
    assert_eq!(tus_offset(&location), 0);

    let chunk = 1 << 20;
    let first = tus_patch(&location, 0, &bytes[..chunk]);
    assert_eq!(first.status(), 204);
    assert_eq!(first.header("Upload-Offset"), Some("1048576"));
    assert_eq!(first.header("upload-cid"), None, "not finished yet");
    // A PATCH at another offset than the service holds is a conflict,
    // answered before its body is read (so a short one, to be read whole).
    let stale = tus_patch(&location, 0, &bytes[..16]);
    assert_eq!(stale.status(), 409);
    assert_eq!(tus_offset(&location), chunk);
    assert_eq!(
        tus_patch(&location, chunk, &bytes[chunk..2 * chunk]).status(),
        204
    );
    let last = tus_patch(&location, 2 * chunk, &bytes[2 * chunk..]);
    assert_eq!(last.status(), 204);
    assert_eq!(
        last.header("Upload-Offset"),
        Some(bytes.len().to_string().as_str())
    );
    assert_eq!(
        last.header("upload-cid"),
        Some(expected.to_string().as_str())
    );

    let served = get(&server, &format!("/ipfs/{expected}"), None);
    assert_eq!(served.status(), 200);
    assert!(
        body_bytes(served) == bytes,
        "the gateway serves the whole file"
    );
    let log = body_json(get(&server, "/__test/pinata-requests", None));
    let patches: Vec<&Value> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["method"] == "PATCH")
        .collect();
    assert_eq!(patches.len(), 3, "{log}");
    assert_eq!(log[0]["metadata"]["network"], "public");
    assert_eq!(log[0]["metadata"]["filename"], "big.bin");
}

#[test]
fn an_upload_without_network_public_stays_private_and_off_the_gateway() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start(data.path(), None);
    let bytes = patterned_bytes(600 << 10);
    let expected = pack_file(NFT_STORAGE, None, &bytes).root;
    let location = tus_create(&server, bytes.len(), &metadata(None));
    let done = tus_patch(&location, 0, &bytes);
    assert_eq!(
        done.header("upload-cid"),
        Some(expected.to_string().as_str())
    );

    assert_eq!(
        get(&server, &format!("/ipfs/{expected}"), None).status(),
        404
    );
    let public = body_json(get(
        &server,
        &format!("/v3/files/public?cid={expected}"),
        Some(JWT),
    ));
    assert_eq!(public["data"]["files"], json!([]));
    let private = body_json(get(
        &server,
        &format!("/v3/files/private?cid={expected}"),
        Some(JWT),
    ));
    assert_eq!(private["data"]["files"][0]["cid"], expected.to_string());
}

#[test]
fn a_dropped_patch_keeps_what_arrived_and_the_upload_resumes_from_head() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start_with_switches(data.path());
    let bytes = patterned_bytes(4 << 20);
    let expected = pack_file(NFT_STORAGE, None, &bytes).root;
    let location = tus_create(&server, bytes.len(), &metadata(Some("public")));
    fail_uploads(
        &server,
        json!({"api": "pinata", "fault": "drop", "count": 1}),
    );
    let dropped = agent()
        .request("PATCH", &location)
        .set("Authorization", &format!("Bearer {JWT}"))
        .set("Tus-Resumable", "1.0.0")
        .set("Upload-Offset", "0")
        .set("Content-Type", "application/offset+octet-stream")
        .send_bytes(&bytes);
    assert!(
        matches!(dropped, Err(ureq::Error::Transport(_))),
        "no answer: {dropped:?}"
    );
    let resumed_at = tus_offset(&location);
    assert!(
        resumed_at > 0 && resumed_at < bytes.len(),
        "part arrived: {resumed_at}"
    );
    let done = tus_patch(&location, resumed_at, &bytes[resumed_at..]);
    assert_eq!(
        done.header("upload-cid"),
        Some(expected.to_string().as_str())
    );
    assert!(body_bytes(get(&server, &format!("/ipfs/{expected}"), None)) == bytes);
}

#[test]
fn status_faults_and_wrong_cids_reach_pinatas_uploads_in_its_shape() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start_with_switches(data.path());
    fail_uploads(
        &server,
        json!({"api": "pinata", "status": 429, "count": 1, "retryAfter": 3}),
    );
    let limited = pin_named(&server, "a.png", PNG);
    assert_eq!(limited.header("Retry-After"), Some("3"));
    assert_eq!(pinata_reason(limited, 429), "TOO_MANY_REQUESTS");
    let location = tus_create(&server, NOTES.len(), &metadata(Some("public")));
    fail_uploads(&server, json!({"api": "pinata", "status": 503, "count": 1}));
    assert_eq!(tus_patch(&location, 0, NOTES).status(), 503);
    assert_eq!(tus_offset(&location), 0, "a refused chunk stores nothing");

    let post =
        |path: &str, body: &str| answer(agent().post(&server.url(path)).send_string(body)).status();
    assert_eq!(post("/__test/lie-about-cids?api=pinata", "on"), 204);
    let honest = pack_file(NFT_STORAGE, Some("a.png"), PNG).root.to_string();
    assert_ne!(
        body_json(pin_named(&server, "a.png", PNG))["IpfsHash"],
        honest
    );
    let told = tus_patch(&location, 0, NOTES);
    let told = told.header("upload-cid").unwrap_or_default().to_owned();
    assert_ne!(told, pack_file(NFT_STORAGE, None, NOTES).root.to_string());
    assert!(told.starts_with("baf"), "still a CID: {told}");
}

#[test]
fn cors_lets_a_page_send_tus_requests_and_read_their_answers() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start(data.path(), None);
    let preflight = answer(
        agent()
            .request("OPTIONS", &server.url("/v3/files/abc"))
            .set("Origin", "http://127.0.0.1:8080")
            .set("Access-Control-Request-Method", "PATCH")
            .set(
                "Access-Control-Request-Headers",
                "authorization,content-type,tus-resumable,upload-offset",
            )
            .call(),
    );
    let lower = |name: &str| {
        preflight
            .header(name)
            .unwrap_or_default()
            .to_ascii_lowercase()
    };
    assert!(lower("Access-Control-Allow-Methods").contains("patch"));
    for name in [
        "tus-resumable",
        "upload-length",
        "upload-metadata",
        "upload-offset",
    ] {
        assert!(
            lower("Access-Control-Allow-Headers").contains(name),
            "{name}"
        );
    }
    for name in ["location", "upload-offset", "upload-cid", "retry-after"] {
        assert!(
            lower("Access-Control-Expose-Headers").contains(name),
            "{name}"
        );
    }
}

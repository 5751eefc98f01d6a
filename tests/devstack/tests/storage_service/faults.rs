//! `POST /__test/fail-uploads` applies to the next N requests of one API:
//! nft.storage's `/upload`, Pinata's uploads (`pinFileToIPFS` and the TUS
//! `PATCH`es) or Kubo's `dag/import`, each with its own pending fault.

use super::pinata::{metadata, pin_named, pinata_reason, tus_create, tus_offset, tus_patch};
use super::*;

/// A small file's CAR, for `dag/import`.
fn small_car(content: &[u8]) -> Vec<u8> {
    pack_file(NFT_STORAGE, Some("k.txt"), content).to_car()
}

#[test]
fn a_fault_applies_only_to_the_uploads_of_the_api_it_names() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start_with_switches(data.path());

    // Pinata's fault: nft.storage and Kubo upload as if there were none.
    fail_uploads(&server, json!({"api": "pinata", "status": 503, "count": 1}));
    upload_raw(&server, "t", b"not for pinata");
    assert_eq!(dag_import(&server, "", &[&small_car(b"a")]).status(), 200);
    // Creating a resumable upload carries no bytes: not counted.
    let location = tus_create(&server, NOTES.len(), &metadata(Some("public")));
    let refused = tus_patch(&location, 0, NOTES);
    assert_eq!(pinata_reason(refused, 503), "SERVICE_UNAVAILABLE");
    assert_eq!(tus_offset(&location), 0);
    assert_eq!(
        pin_named(&server, "a.png", PNG).status(),
        200,
        "count spent"
    );

    // One pending fault per API: arming one leaves the others' in place.
    fail_uploads(&server, json!({"api": "kubo", "status": 429, "count": 1}));
    fail_uploads(
        &server,
        json!({"api": "nft-storage", "status": 500, "count": 1}),
    );
    fail_uploads(&server, json!({"api": "pinata", "status": 502, "count": 1}));
    assert_eq!(
        pinata_reason(pin_named(&server, "b.png", PNG), 502),
        "BAD_GATEWAY"
    );
    error_message(
        upload(&server, Some("t"), "application/octet-stream", b"x"),
        500,
    );
    assert_eq!(dag_import(&server, "", &[&small_car(b"b")]).status(), 429);
    upload_raw(&server, "t", b"x");
    assert_eq!(dag_import(&server, "", &[&small_car(b"b")]).status(), 200);
    assert_eq!(pin_named(&server, "b.png", PNG).status(), 200);

    // Without `api`, the switch is nft.storage's, as it always was.
    fail_uploads(&server, json!({"status": 503, "count": 1}));
    assert_eq!(pin_named(&server, "c.png", PNG).status(), 200);
    assert_eq!(dag_import(&server, "", &[&small_car(b"c")]).status(), 200);
    error_message(
        upload(&server, Some("t"), "application/octet-stream", b"y"),
        503,
    );

    // An API the service does not have is refused, not silently ignored.
    let unknown = answer(
        agent()
            .post(&server.url("/__test/fail-uploads"))
            .send_json(json!({"api": "web3.storage", "status": 500, "count": 1})),
    );
    assert_eq!(unknown.status(), 422);
}

#[test]
fn kubo_dag_import_answers_a_status_fault_in_kubos_shape_then_imports() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start_with_switches(data.path());
    let packed = pack_file(NFT_STORAGE, Some("k.txt"), b"imported after a 429");
    let root = packed.root.to_string();
    let car = packed.to_car();
    fail_uploads(
        &server,
        json!({"api": "kubo", "status": 429, "count": 1, "retryAfter": 2}),
    );

    let limited = dag_import(&server, "?pin-roots=true", &[&car]);

    assert_eq!(limited.status(), 429);
    assert_eq!(limited.header("Retry-After"), Some("2"));
    assert_eq!(
        body_json(limited),
        json!({"Message": "Too Many Requests", "Code": 0, "Type": "error"})
    );
    assert_eq!(pin_ls(&server, &root).status(), 500, "nothing was imported");
    error_message(get(&server, &format!("/check/{root}"), None), 404);

    let imported = dag_import(&server, "?pin-roots=true", &[&car]);

    assert_eq!(imported.status(), 200);
    assert_eq!(
        ndjson(imported),
        [json!({"Root": {"Cid": {"/": root}, "PinErrorMsg": ""}})]
    );
    assert_eq!(pin_ls(&server, &root).status(), 200);
}

#[test]
fn a_drop_fault_on_kubo_reads_part_of_the_import_and_closes_without_answering() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start_with_switches(data.path());
    let (root, car) = large_car();
    let body = multipart_body(&[("file", Some("upload.car"), "application/octet-stream", &car)]);
    fail_uploads(&server, json!({"api": "kubo", "fault": "drop", "count": 1}));

    let (sent, answer) = post_raw(
        &server,
        "/api/v0/dag/import?pin-roots=true",
        &multipart_type(),
        &body,
        Duration::from_secs(10),
    );

    assert!(sent > 0, "the service read nothing");
    assert!(
        answer.is_empty(),
        "the service answered: {}",
        String::from_utf8_lossy(&answer[..answer.len().min(200)])
    );
    assert_eq!(pin_ls(&server, &root.to_string()).status(), 500);
    // Only the next import drops: the one after it is stored and pinned.
    assert_eq!(
        dag_import(&server, "?pin-roots=true", &[&car]).status(),
        200
    );
    assert_eq!(pin_ls(&server, &root.to_string()).status(), 200);
}

/// Turns `lie-about-cids` on or off for one API (none: the default).
fn lie_about_cids(server: &StorageServer, api: Option<&str>, on: bool) {
    let path = match api {
        Some(api) => format!("/__test/lie-about-cids?api={api}"),
        None => "/__test/lie-about-cids".to_owned(),
    };
    let response =
        answer(
            agent()
                .post(&server.url(&path))
                .send_string(if on { "on" } else { "off" }),
        );
    assert_eq!(response.status(), 204);
}

#[test]
fn a_wrong_cid_is_answered_only_by_the_api_it_is_switched_on_for() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start_with_switches(data.path());
    let honest = |content: &[u8]| pack_file(NFT_STORAGE, None, content).root.to_string();
    let png_directory = pack_files(NFT_STORAGE, &[("a.png", PNG)]).unwrap().root;
    let import = |content: &[u8]| {
        let packed = pack_file(NFT_STORAGE, Some("k.txt"), content);
        let lines = ndjson(dag_import(&server, "?pin-roots=true", &[&packed.to_car()]));
        (
            packed.root.to_string(),
            lines[0]["Root"]["Cid"]["/"].clone(),
        )
    };

    lie_about_cids(&server, Some("pinata"), true);
    assert_ne!(
        body_json(pin_named(&server, "a.png", PNG))["IpfsHash"],
        png_directory.to_string()
    );
    assert_eq!(upload_raw(&server, "t", b"honest"), honest(b"honest"));
    let (root, reported) = import(b"honest import");
    assert_eq!(reported, root);

    lie_about_cids(&server, Some("kubo"), true);
    let (root, reported) = import(b"lied about");
    assert_ne!(reported, root);
    assert_eq!(
        pin_ls(&server, &root).status(),
        200,
        "the real root is pinned"
    );
    lie_about_cids(&server, Some("kubo"), false);
    lie_about_cids(&server, Some("pinata"), false);
    assert_eq!(
        body_json(pin_named(&server, "a.png", PNG))["IpfsHash"],
        png_directory.to_string()
    );

    // Without `api`, nft.storage's, as the fault switch.
    lie_about_cids(&server, None, true);
    assert_ne!(upload_raw(&server, "t", b"lied"), honest(b"lied"));
    let (root, reported) = import(b"still honest");
    assert_eq!(reported, root);
}

/// Sets `POST /__test/corrupt-gateway` to `body`; returns the status.
fn corrupt_gateway(server: &StorageServer, body: &str) -> u16 {
    match agent()
        .post(&server.url("/__test/corrupt-gateway"))
        .send_string(body)
    {
        Ok(response) => response.status(),
        Err(ureq::Error::Status(status, _)) => status,
        Err(error) => panic!("request failed: {error}"),
    }
}

fn raw_block(server: &StorageServer, cid: &minty::ipfs::Cid) -> Vec<u8> {
    body_bytes(answer(
        agent()
            .get(&server.url(&format!("/ipfs/{cid}?format=raw")))
            .call(),
    ))
}

#[test]
fn the_gateway_can_be_made_to_alter_one_block_or_every_answer() {
    let data = tempfile::tempdir().unwrap();
    let server = StorageServer::start_with_switches(data.path());
    let content = patterned_bytes(600_000);
    let packed = pack_file(NFT_STORAGE, Some("art.bin"), &content);
    assert_eq!(dag_import(&server, "", &[&packed.to_car()]).status(), 200);
    let [first, second, ..] = packed.blocks.as_slice() else {
        panic!("a file of three leaves");
    };

    // One block: only its raw answers change, and the file as a whole is
    // still served (a gateway that lies about one block to raw readers).
    assert_eq!(corrupt_gateway(&server, &first.cid.to_string()), 204);
    assert_ne!(raw_block(&server, &first.cid), first.bytes);
    assert_eq!(raw_block(&server, &second.cid), second.bytes);
    let file = body_bytes(get(
        &server,
        &format!("/ipfs/{}/art.bin", packed.root),
        None,
    ));
    assert_eq!(file, content);

    // Every answer.
    assert_eq!(corrupt_gateway(&server, "on"), 204);
    assert_ne!(raw_block(&server, &second.cid), second.bytes);
    let file = body_bytes(get(
        &server,
        &format!("/ipfs/{}/art.bin", packed.root),
        None,
    ));
    assert_ne!(file, content);

    assert_eq!(corrupt_gateway(&server, "off"), 204);
    assert_eq!(raw_block(&server, &first.cid), first.bytes);
    assert_eq!(corrupt_gateway(&server, "sometimes"), 400);
}

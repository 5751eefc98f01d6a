//! Content-Type for what the gateway serves: from the file name's extension
//! when there is one, else from the first bytes.

const BY_EXTENSION: &[(&str, &str)] = &[
    ("png", "image/png"),
    ("jpg", "image/jpeg"),
    ("jpeg", "image/jpeg"),
    ("gif", "image/gif"),
    ("webp", "image/webp"),
    ("avif", "image/avif"),
    ("svg", "image/svg+xml"),
    ("json", "application/json"),
    ("txt", "text/plain; charset=utf-8"),
    ("md", "text/markdown; charset=utf-8"),
    ("html", "text/html; charset=utf-8"),
    ("htm", "text/html; charset=utf-8"),
    ("mp4", "video/mp4"),
    ("webm", "video/webm"),
    ("mov", "video/quicktime"),
    ("mp3", "audio/mpeg"),
    ("wav", "audio/wav"),
    ("ogg", "audio/ogg"),
    ("flac", "audio/flac"),
    ("pdf", "application/pdf"),
    ("glb", "model/gltf-binary"),
    ("gltf", "model/gltf+json"),
];

const BY_MAGIC: &[(&[u8], &str)] = &[
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"%PDF-", "application/pdf"),
    (b"ID3", "audio/mpeg"),
];

pub fn content_type_for(file_name: Option<&str>, content: &[u8]) -> &'static str {
    let extension = file_name
        .and_then(|name| name.rsplit_once('.'))
        .map(|(_, extension)| extension.to_ascii_lowercase());
    if let Some(extension) = extension {
        if let Some((_, content_type)) = BY_EXTENSION.iter().find(|(known, _)| *known == extension)
        {
            return content_type;
        }
    }
    if let Some((_, content_type)) = BY_MAGIC
        .iter()
        .find(|(magic, _)| content.starts_with(magic))
    {
        return content_type;
    }
    if content.len() >= 12 && &content[..4] == b"RIFF" && &content[8..12] == b"WAVE" {
        return "audio/wav";
    }
    if content.len() >= 12 && &content[4..8] == b"ftyp" {
        return "video/mp4";
    }
    match std::str::from_utf8(content) {
        Ok(text) if text.trim_start().starts_with('{') => "application/json",
        Ok(_) => "text/plain; charset=utf-8",
        Err(_) => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_wins_then_magic_then_text() {
        assert_eq!(content_type_for(Some("cat.PNG"), b""), "image/png");
        assert_eq!(
            content_type_for(None, b"\x89PNG\r\n\x1a\nrest"),
            "image/png"
        );
        assert_eq!(content_type_for(None, b"{\"name\":1}"), "application/json");
        assert_eq!(
            content_type_for(None, &[0xff, 0x00, 0x12]),
            "application/octet-stream"
        );
    }
}

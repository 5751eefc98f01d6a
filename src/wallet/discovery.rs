//! Wallet discovery as EIP-6963 defines it: each installed wallet announces
//! itself (`eip6963:announceProvider`) with a name, an icon, a unique id
//! and its reverse-DNS name, so several wallets no longer fight over
//! `window.ethereum`. What a wallet announces is untrusted; this module
//! decides what of it may be shown, and which wallet to use.

use serde::Deserialize;

/// `EIP6963ProviderInfo`, as announced.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct WalletInfo {
    pub uuid: String,
    pub name: String,
    /// A data URI (RFC 2397) of the wallet's icon, per the EIP.
    pub icon: String,
    /// e.g. `io.metamask`: stable across sessions, so the choice is kept by it.
    pub rdns: String,
}

/// Longest name shown; a wallet's name is untrusted text.
const MAX_NAME_CHARS: usize = 40;
/// Icons are small images; a huge data URI is not one.
const MAX_ICON_BYTES: usize = 256 * 1024;

impl WalletInfo {
    /// The name as shown: trimmed, cut, never empty.
    pub fn display_name(&self) -> String {
        let name: String = self.name.trim().chars().take(MAX_NAME_CHARS).collect();
        if name.is_empty() {
            "Unnamed wallet".to_owned()
        } else {
            name
        }
    }

    /// The icon, only as a `data:image/…` URI of a raster or SVG type, for
    /// an `<img>` (where an SVG runs no script); anything else is not shown.
    pub fn safe_icon(&self) -> Option<&str> {
        let icon = self.icon.trim();
        let lower = icon.get(..32).unwrap_or(icon).to_ascii_lowercase();
        let allowed = [
            "data:image/png",
            "data:image/svg+xml",
            "data:image/webp",
            "data:image/jpeg",
            "data:image/gif",
        ];
        let typed = allowed.iter().any(|prefix| {
            lower.starts_with(prefix)
                && matches!(lower.as_bytes().get(prefix.len()), Some(b';' | b','))
        });
        (typed && icon.len() <= MAX_ICON_BYTES).then_some(icon)
    }
}

/// Announcements from one wallet repeat (it answers every request): keep
/// the first of each uuid, and drop announcements missing what the EIP
/// requires.
pub fn add_announced(wallets: &mut Vec<WalletInfo>, announced: WalletInfo) -> bool {
    let complete = !announced.uuid.trim().is_empty() && !announced.rdns.trim().is_empty();
    let known = wallets.iter().any(|wallet| wallet.uuid == announced.uuid);
    if complete && !known {
        wallets.push(announced);
        true
    } else {
        false
    }
}

/// Which announced wallet to use without asking: the one chosen before
/// (by `rdns`), or the only one. `None` when the user must choose (or
/// none announced itself, and `window.ethereum` is the fallback).
pub fn preselected<'a>(
    wallets: &'a [WalletInfo],
    remembered_rdns: Option<&str>,
) -> Option<&'a WalletInfo> {
    if let Some(rdns) = remembered_rdns {
        if let Some(wallet) = wallets.iter().find(|wallet| wallet.rdns == rdns) {
            return Some(wallet);
        }
    }
    match wallets {
        [only] => Some(only),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wallet(uuid: &str, rdns: &str) -> WalletInfo {
        WalletInfo {
            uuid: uuid.into(),
            name: format!("Wallet {uuid}"),
            icon: "data:image/svg+xml;base64,PHN2Zy8+".into(),
            rdns: rdns.into(),
        }
    }

    #[test]
    fn the_remembered_wallet_or_the_only_one_is_used_without_asking() {
        let two = vec![wallet("1", "io.metamask"), wallet("2", "com.example")];
        assert_eq!(preselected(&two, Some("com.example")).unwrap().uuid, "2");
        assert_eq!(
            preselected(&two, None),
            None,
            "two wallets: the user chooses"
        );
        assert_eq!(preselected(&two, Some("gone.wallet")), None);
        assert_eq!(preselected(&two[..1], None).unwrap().uuid, "1");
        assert_eq!(preselected(&[], Some("io.metamask")), None);
    }

    #[test]
    fn repeated_or_incomplete_announcements_are_dropped() {
        let mut wallets = Vec::new();
        assert!(add_announced(&mut wallets, wallet("1", "io.metamask")));
        assert!(!add_announced(&mut wallets, wallet("1", "io.metamask")));
        assert!(!add_announced(&mut wallets, wallet("", "x.y")));
        assert!(!add_announced(&mut wallets, wallet("3", " ")));
        assert_eq!(wallets.len(), 1);
    }

    #[test]
    fn only_image_data_uris_are_shown_as_icons() {
        let with_icon = |icon: &str| WalletInfo {
            icon: icon.into(),
            ..wallet("1", "a.b")
        };
        assert!(with_icon("data:image/png;base64,iVBORw0KGgo=")
            .safe_icon()
            .is_some());
        assert!(with_icon("DATA:IMAGE/SVG+XML,<svg/>").safe_icon().is_some());
        for hostile in [
            "javascript:alert(1)",
            "https://tracker.example/icon.png",
            "data:text/html;base64,PHNjcmlwdD4=",
            "data:image/svg+xmlfoo,<svg/>",
            "",
        ] {
            assert_eq!(with_icon(hostile).safe_icon(), None, "{hostile}");
        }
        let huge = format!("data:image/png;base64,{}", "A".repeat(MAX_ICON_BYTES));
        assert_eq!(with_icon(&huge).safe_icon(), None);
    }

    #[test]
    fn a_name_is_cut_and_never_empty() {
        let named = |name: &str| WalletInfo {
            name: name.into(),
            ..wallet("1", "a.b")
        };
        assert_eq!(named("  ").display_name(), "Unnamed wallet");
        assert_eq!(named(&"W".repeat(100)).display_name().chars().count(), 40);
    }
}

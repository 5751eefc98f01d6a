//! Reading a gallery page from the chain: an enumerable Minty lists its
//! tokens (all of them, or one owner's) by index. A page costs three rounds
//! of reads: the count, then the page's token ids, then each token's
//! `tokenURI` and `ownerOf`. Through the RPC URL each round is one JSON-RPC
//! batch; through a wallet, a few calls at a time.

use ethers_core::types::{Address, U256};
use futures::stream::{self, StreamExt};

use crate::eth::minty_abi::{
    balance_of_call, decode_address, decode_string, decode_uint, owner_of_call,
    token_by_index_call, token_of_owner_by_index_call, token_uri_call, total_supply_call,
};
use crate::nft::gallery_page::{page_indices, PageNumber};
use crate::nft::token_id::TokenId;
use crate::settings::Settings;
use crate::show::{MintyReader, ShowError};

/// Whose tokens a gallery lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Listing {
    All,
    Owner(Address),
}

/// One token on a page: what the chain says of it, or why it could not
/// be read. A token that fails spoils only its own card.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GalleryEntry {
    pub id: TokenId,
    pub read: Result<OnChain, ShowError>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnChain {
    pub owner: Address,
    pub token_uri: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GalleryPage {
    /// Tokens in the whole listing, not only on this page.
    pub total: u64,
    pub page: PageNumber,
    /// Newest first. An index whose id could not be read is left out, and
    /// counted here.
    pub entries: Vec<GalleryEntry>,
    pub unreadable: usize,
}

pub async fn read_gallery_page(
    listing: Listing,
    page: PageNumber,
    settings: &Settings,
    wallet_chain: Option<u64>,
) -> Result<GalleryPage, ShowError> {
    let minty = MintyReader::new(settings, wallet_chain)?;
    let call = |data: Vec<u8>| {
        let minty = minty.clone();
        async move { minty.call(&data).await }
    };

    let count_call = match listing {
        Listing::All => total_supply_call(),
        Listing::Owner(owner) => balance_of_call(owner),
    };
    let total = decode_uint(&call(count_call).await?)?;
    // More tokens than a u64 counts cannot exist on any real chain.
    let total = u64::try_from(total).unwrap_or(u64::MAX);

    let in_flight = minty.chain.reads_in_flight();
    let ids: Vec<Result<TokenId, ShowError>> = stream::iter(page_indices(total, page))
        .map(|index| {
            let data = match listing {
                Listing::All => token_by_index_call(U256::from(index)),
                Listing::Owner(owner) => token_of_owner_by_index_call(owner, U256::from(index)),
            };
            let answer = call(data);
            async move { Ok(TokenId(decode_uint(&answer.await?)?)) }
        })
        .buffered(in_flight)
        .collect()
        .await;
    let unreadable = ids.iter().filter(|id| id.is_err()).count();
    if let (0, Some(Err(error))) = (ids.len() - unreadable, ids.first()) {
        // Not one id: the listing itself cannot be read.
        return Err(error.clone());
    }

    let entries = stream::iter(ids.into_iter().flatten())
        .map(|id| {
            let owner = call(owner_of_call(id.0));
            let token_uri = call(token_uri_call(id.0));
            async move {
                // Both calls of a token are made before either is awaited,
                // so they travel in the same batch.
                let (owner, token_uri) = futures::join!(owner, token_uri);
                let read = owner
                    .and_then(|owner| Ok(decode_address(&owner)?))
                    .and_then(|owner| {
                        Ok(OnChain {
                            owner,
                            token_uri: decode_string(&token_uri?)?,
                        })
                    });
                GalleryEntry { id, read }
            }
        })
        .buffered(in_flight)
        .collect()
        .await;
    Ok(GalleryPage {
        total,
        page,
        entries,
        unreadable,
    })
}

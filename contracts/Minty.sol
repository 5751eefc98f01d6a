// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC721Enumerable} from "@openzeppelin/contracts/token/ERC721/extensions/ERC721Enumerable.sol";

/// @title Minty
/// @notice The ERC-721 behind Minty: anyone may mint a token whose metadata
/// lives on IPFS. Enumerable, as Minty's OpenZeppelin 3 base was, so a
/// gallery can list tokens without scanning logs.
contract Minty is ERC721Enumerable {
    uint256 private _lastTokenId;

    /// Metadata locations without the "ipfs://" prefix, which tokenURI adds.
    mapping(uint256 tokenId => string) private _metadataURIs;

    constructor(string memory name, string memory symbol) ERC721(name, symbol) {}

    /// @notice Mints the next token id (counting up from 1) to `owner`.
    /// @param metadataURI "<cid>/metadata.json", without the ipfs:// prefix.
    function mintToken(address owner, string memory metadataURI) public returns (uint256) {
        uint256 tokenId = ++_lastTokenId;
        // Stored before minting: _safeMint calls into a contract receiver,
        // which must already see a complete token.
        _metadataURIs[tokenId] = metadataURI;
        _safeMint(owner, tokenId);
        return tokenId;
    }

    function tokenURI(uint256 tokenId) public view override returns (string memory) {
        _requireOwned(tokenId);
        return string.concat(_baseURI(), _metadataURIs[tokenId]);
    }

    function _baseURI() internal pure override returns (string memory) {
        return "ipfs://";
    }
}

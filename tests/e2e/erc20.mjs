// An ERC-20 token on the test chain: a real contract that answers name()
// and symbol() like Minty does, but is no NFT contract. Compiled from
// OpenZeppelin's ERC20 with the project's pinned solc-js, and deployed from
// anvil's unlocked dev account over JSON-RPC.
import { createRequire } from 'node:module'
import { readFileSync } from 'node:fs'
import { DEV_ACCOUNTS } from './harness.mjs'
import { rpc } from './chain.mjs'

const require = createRequire(import.meta.url)
const solc = require('solc')

const SOURCE = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import "@openzeppelin/contracts/token/ERC20/ERC20.sol";
contract Coin is ERC20 { constructor() ERC20("Coin", "COIN") {} }
`

function compileCoin () {
  const input = {
    language: 'Solidity',
    sources: { 'Coin.sol': { content: SOURCE } },
    settings: { evmVersion: 'cancun', outputSelection: { 'Coin.sol': { Coin: ['evm.bytecode.object'] } } }
  }
  const findImports = (importPath) => ({ contents: readFileSync(require.resolve(importPath), 'utf8') })
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }))
  const errors = (output.errors || []).filter((e) => e.severity === 'error')
  if (errors.length > 0) throw new Error(errors.map((e) => e.formattedMessage).join('\n'))
  return '0x' + output.contracts['Coin.sol'].Coin.evm.bytecode.object
}

/// Deploys the ERC-20 on the chain at `rpcUrl`; returns its address.
export async function deployErc20 (rpcUrl) {
  const hash = await rpc(rpcUrl, 'eth_sendTransaction', [{ from: DEV_ACCOUNTS[0], data: compileCoin() }])
  for (let tries = 0; tries < 50; tries++) {
    const receipt = await rpc(rpcUrl, 'eth_getTransactionReceipt', [hash])
    if (receipt) return receipt.contractAddress
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error('the ERC-20 was not mined')
}

// Compiles contracts/Minty.sol with the pinned solc-js into the artifact the
// app and the tooling embed (contracts/Minty.json).
//   node tests/tools/contract-build.mjs          write the artifact
//   node tests/tools/contract-build.mjs --check  fail if it is out of date
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

const require = createRequire(import.meta.url)
const solc = require('solc')

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const sourcePath = path.join(root, 'contracts/Minty.sol')
export const artifactPath = path.join(root, 'contracts/Minty.json')

// Cancun is the newest EVM that every major chain and testnet runs.
const EVM_VERSION = 'cancun'

export function compileMinty () {
  const input = {
    language: 'Solidity',
    sources: { 'Minty.sol': { content: readFileSync(sourcePath, 'utf8') } },
    settings: {
      evmVersion: EVM_VERSION,
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { 'Minty.sol': { Minty: ['abi', 'evm.bytecode.object'] } }
    }
  }
  const findImports = (importPath) => {
    try {
      return { contents: readFileSync(require.resolve(importPath), 'utf8') }
    } catch {
      return { error: `cannot find ${importPath} in node_modules` }
    }
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }))
  const errors = (output.errors || []).filter((e) => e.severity === 'error')
  if (errors.length > 0) {
    throw new Error(errors.map((e) => e.formattedMessage).join('\n'))
  }
  const contract = output.contracts['Minty.sol'].Minty
  return JSON.stringify({
    contractName: 'Minty',
    compiler: `solc-js ${solc.version()}`,
    evmVersion: EVM_VERSION,
    abi: contract.abi,
    bytecode: '0x' + contract.evm.bytecode.object
  }, null, 2) + '\n'
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const artifact = compileMinty()
  if (process.argv.includes('--check')) {
    if (readFileSync(artifactPath, 'utf8') !== artifact) {
      console.error('contracts/Minty.json is out of date: run node tests/tools/contract-build.mjs')
      process.exit(1)
    }
    console.log('contracts/Minty.json matches contracts/Minty.sol')
  } else {
    writeFileSync(artifactPath, artifact)
    console.log(`wrote ${path.relative(root, artifactPath)}`)
  }
}

// The committed artifact (ABI + bytecode) that the app and the tooling embed
// must be what the pinned solc-js makes of contracts/Minty.sol today.
import { it } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { artifactPath, compileMinty } from '../tools/contract-build.mjs'

it('contracts/Minty.json matches a fresh compile of contracts/Minty.sol', () => {
  const committed = readFileSync(artifactPath, 'utf8')
  assert.ok(
    committed === compileMinty(),
    'contracts/Minty.json is out of date: run `node tests/tools/contract-build.mjs` and commit it'
  )
})

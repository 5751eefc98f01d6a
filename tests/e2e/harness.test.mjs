// The suite runs many times on one machine (CI and every session share a
// disk), so each session must take its files with it: a stack's data dir
// holds anvil's state and every upload, up to gigabytes for the large
// stories.
import assert from 'node:assert/strict'
import { existsSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { describe, it } from 'node:test'
import { closeSession, openSession } from './harness.mjs'

describe('the e2e harness', () => {
  it('removes the stack\'s data directory when the session closes', async () => {
    const session = await openSession()
    const { dataDir } = session.stack
    try {
      assert.ok(existsSync(dataDir), 'the stack keeps its data in its data directory while it runs')
      writeFileSync(path.join(dataDir, 'left-by-a-story.bin'), Buffer.alloc(1024))
    } finally {
      await closeSession(session)
    }
    assert.equal(existsSync(dataDir), false, `${dataDir} is left behind`)
  })
})

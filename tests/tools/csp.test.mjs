// The Content-Security-Policy hook (tests/tools/csp.mjs) on pages shaped as trunk
// writes them.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { NONCE_PLACEHOLDER, loopbackOrigins, sealPage } from './csp.mjs'

const LOADER = `
import init, * as bindings from '/minty-1a2b.js';
const wasm = await init({ module_or_path: '/minty-1a2b_bg.wasm' });
`
const RELOAD = "(function () { const url = 'ws://' + '{{__TRUNK_ADDRESS__}}' + '{{__TRUNK_WS_BASE__}}.well-known/trunk/ws'; })()"
const nonce = ` nonce="${NONCE_PLACEHOLDER}"`

function page ({ reload = false } = {}) {
  return `<!DOCTYPE html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'" data-minty-csp="">
<link rel="stylesheet"${nonce} href="/main-9f.css">
<link rel="modulepreload" href="/minty-1a2b.js"${nonce} crossorigin="anonymous" integrity="sha384-x">
</head><body><script type="module"${nonce}>${LOADER}</script>${reload ? `<script${nonce}>${RELOAD}</script>` : ''}</body></html>`
}

const policyOf = (html) => html.match(/http-equiv="Content-Security-Policy" content="([^"]*)"/)[1]
const directive = (policy, name) => policy.split('; ').find((d) => d.startsWith(name + ' '))

describe('the Content-Security-Policy hook', () => {
  it('allows trunk\'s loader by its hash and leaves no nonce in a static build', () => {
    const html = sealPage(page())
    const hash = createHash('sha256').update(LOADER).digest('base64')
    const policy = policyOf(html)
    assert.equal(directive(policy, 'script-src'), `script-src 'self' 'wasm-unsafe-eval' 'sha256-${hash}'`)
    assert.ok(policy.startsWith("default-src 'none'; "))
    for (const expected of ["object-src 'none'", "base-uri 'none'", "form-action 'none'", "connect-src 'self' https: http://127.0.0.1:* http://localhost:*", "img-src 'self' blob: data: https: http://127.0.0.1:* http://localhost:*", 'media-src blob: https: http://127.0.0.1:* http://localhost:*', "worker-src 'self'"]) {
      assert.ok(policy.split('; ').includes(expected), `${expected} in ${policy}`)
    }
    assert.ok(!html.includes('nonce'), html)
    assert.ok(!html.includes('data-minty-csp'))
    // The loader itself is untouched, so its hash holds.
    assert.ok(html.includes(`<script type="module">${LOADER}</script>`))
  })

  it('gives trunk serve\'s auto-reload script the nonce trunk fills in per answer', () => {
    const html = sealPage(page({ reload: true }))
    const scriptSrc = directive(policyOf(html), 'script-src')
    assert.match(scriptSrc, /'sha256-[^']+' 'nonce-\{\{__TRUNK NONCE__\}\}'$/)
    assert.ok(html.includes(`<script${nonce}>${RELOAD}</script>`))
    assert.equal(html.split(NONCE_PLACEHOLDER).length - 1, 2)
  })

  it('adds the local stack\'s loopback origins, and refuses plain http elsewhere', () => {
    const origins = loopbackOrigins({
      MINTY_PRESET_RPC_URL: 'http://127.0.0.1:18545',
      MINTY_PRESET_STORAGE_ENDPOINT: 'http://127.0.0.1:18787',
      MINTY_PRESET_GATEWAY: 'http://127.0.0.1:18787/ipfs/'
    })
    assert.deepEqual(origins, ['http://127.0.0.1:18545', 'http://127.0.0.1:18787'])
    const policy = policyOf(sealPage(page(), { loopbackOrigins: origins }))
    assert.equal(directive(policy, 'connect-src'), "connect-src 'self' https: http://127.0.0.1:* http://localhost:* http://127.0.0.1:18545 http://127.0.0.1:18787")
    assert.equal(directive(policy, 'media-src'), 'media-src blob: https: http://127.0.0.1:* http://localhost:* http://127.0.0.1:18545 http://127.0.0.1:18787')
    assert.deepEqual(loopbackOrigins({ MINTY_PRESET_GATEWAY: 'https://nftstorage.link/ipfs/' }), [])
    assert.throws(() => loopbackOrigins({ MINTY_PRESET_RPC_URL: 'http://10.0.0.5:8545' }), /only https: and loopback/)
    assert.throws(() => loopbackOrigins({ MINTY_PRESET_GATEWAY: 'http://127.0.0.1.evil.example/ipfs/' }), /only https: and loopback/)
  })

  it('refuses a page without the policy\'s placeholder', () => {
    assert.throws(() => sealPage('<html><head></head><body></body></html>'), /data-minty-csp/)
  })
})

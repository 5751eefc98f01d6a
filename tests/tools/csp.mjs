// The app's Content-Security-Policy, which the build hook (app-build.mjs)
// writes into the built index.html, so every build carries it, `trunk serve`
// and `trunk build --release` alike. It is a <meta>, which any static host
// serves; the hash of each inline script (the app's loader) is computed
// after the build, since the loader names hashed files.
//
// The CSP is the second layer. The first is that nothing from a gateway
// becomes a document of the app's origin (src/nft/media.rs, blob_media_type):
// in Chromium, an SVG opened from a blob: URL in a new tab ran its script
// even under a page CSP.
import { createHash } from 'node:crypto'

// trunk writes this into nonce attributes (`create_nonce`); `trunk serve`
// replaces it with a fresh nonce in each answer.
export const NONCE_PLACEHOLDER = '{{__TRUNK NONCE__}}'
// `trunk serve` fills these into its auto-reload script in each answer, so
// that script cannot be hashed ahead; it gets the nonce instead.
const SERVE_TIME_PLACEHOLDERS = ['{{__TRUNK_ADDRESS__}}', '{{__TRUNK_WS_BASE__}}']
// The preset URLs a build may be given (src/settings.rs, `env`).
const PRESET_URL_VARIABLES = ['MINTY_PRESET_RPC_URL', 'MINTY_PRESET_STORAGE_ENDPOINT', 'MINTY_PRESET_GATEWAY']
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])
const LOCAL_MACHINE_SOURCES = 'http://127.0.0.1:* http://localhost:*'

/// The policy, given the sources of the inline scripts allowed to run and the
/// loopback origins a local build talks to.
export function policy ({ inlineScriptSources = [], loopbackOrigins = [] } = {}) {
  // A node on the user's own machine (IPFS Desktop's gateway and RPC, a
  // local Ethereum node) is as trusted as the page's own origin and never
  // leaves the machine, so any loopback port may be used, in every build.
  // (CSP host sources cannot spell an IPv6 literal, so [::1] is not listed.)
  const loopback = [LOCAL_MACHINE_SOURCES, ...loopbackOrigins].join(' ')
  return [
    "default-src 'none'",
    // The app's own script and module, its inline loader, and compiling the
    // wasm (which needs 'wasm-unsafe-eval', not 'unsafe-eval').
    `script-src 'self' 'wasm-unsafe-eval' ${inlineScriptSources.join(' ')}`,
    "style-src 'self'",
    // The storage endpoint, the gateway and the RPC URL are settings a user
    // changes at run time, so no static list can name them: any https
    // origin is allowed, as the product must work with any https gateway.
    // Plain http is refused, but for the local stack's loopback services.
    `connect-src 'self' https: ${loopback}`,
    // Checked previews are blob: URLs (their types from an allowlist);
    // unchecked ones come from the gateway; data: is how an SVG is drawn.
    `img-src 'self' blob: data: https: ${loopback}`,
    `media-src blob: https: ${loopback}`,
    // The packer's hashing workers (public/hash-worker.js), and nothing else.
    "worker-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'"
    // frame-ancestors is ignored in a <meta>: a host adds it as a header.
  ].map((directive) => directive.trim()).join('; ')
}

/// The loopback origins among the preset URLs. A plain-http preset that is
/// not loopback would be blocked by the policy, so it stops the build.
export function loopbackOrigins (environment) {
  const origins = []
  for (const name of PRESET_URL_VARIABLES) {
    const value = environment[name]
    if (!value) continue
    let url
    try {
      url = new URL(value)
    } catch {
      continue // the app reports a malformed preset itself
    }
    if (url.protocol === 'https:') continue
    if (url.protocol !== 'http:' || !LOOPBACK_HOSTS.has(url.hostname)) {
      throw new Error(`${name}=${value}: the Content-Security-Policy allows only https: and loopback http: URLs`)
    }
    if (!origins.includes(url.origin)) origins.push(url.origin)
  }
  return origins
}

const sha256 = (text) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`

/// The built page with its policy: each inline script is allowed by its
/// hash, but trunk serve's auto-reload script, which keeps its nonce.
export function sealPage (html, { loopbackOrigins: origins = [] } = {}) {
  const marker = /<meta\b[^>]*\bdata-minty-csp\b[^>]*>/i
  if (!marker.test(html)) throw new Error('index.html has no <meta http-equiv="Content-Security-Policy" data-minty-csp> to fill in')
  const nonceAttribute = ` nonce="${NONCE_PLACEHOLDER}"`
  const sources = []
  const sealed = html
    .replaceAll(nonceAttribute, '')
    .replace(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi, (element, attributes, body) => {
      if (/\bsrc\s*=/i.test(attributes)) return element
      if (SERVE_TIME_PLACEHOLDERS.some((placeholder) => body.includes(placeholder))) {
        sources.push(`'nonce-${NONCE_PLACEHOLDER}'`)
        return `<script${attributes}${nonceAttribute}>${body}</script>`
      }
      sources.push(sha256(body))
      return element
    })
  const content = policy({ inlineScriptSources: [...new Set(sources)], loopbackOrigins: origins })
  return sealed.replace(marker, `<meta http-equiv="Content-Security-Policy" content="${content}">`)
}

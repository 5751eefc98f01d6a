// The test wallet: an EIP-1193 provider injected into the page before it
// loads, standing in for MetaMask in end-to-end tests. It forwards to a
// real anvil, whose dev accounts are unlocked, and behaves as MetaMask does
// where the app can tell: account and chain events, 4001 when the user
// refuses, 4902 for an unknown chain. Test-only: never shipped with the app.
//
// Configured by `window.__testWalletConfig = { chains: {"0x7a69": rpcUrl},
// chainId: "0x7a69", account: "0x…" }`, set before this script runs, or by
// an array of such configs for several wallets in one browser. Each wallet
// announces itself as EIP-6963 defines (unless `announce: false`), with
// `name`, `rdns` and `icon`; the first is also `window.ethereum` (unless
// `inject: false`), as the most recently installed extension would be.
// Tests steer the first through `window.__testWallet`, and each through
// `window.__testWallets[i]`.
(() => {
  const configs = [window.__testWalletConfig].flat().filter(Boolean)
  if (configs.length === 0) return
  const made = configs.map((config, index) => makeWallet(config, index))
  window.__testWallet = made[0].control
  window.__testWallets = made.map((wallet) => wallet.control)
  if (configs[0].inject !== false) window.ethereum = made[0].ethereum
  made.forEach(({ ethereum, info, announce }) => {
    if (!announce) return
    const detail = Object.freeze({ info: Object.freeze({ ...info }), provider: ethereum })
    const announceProvider = () => window.dispatchEvent(new CustomEvent('eip6963:announceProvider', { detail }))
    window.addEventListener('eip6963:requestProvider', announceProvider)
    announceProvider()
  })

  function makeWallet (config, index) {

    const chains = { ...config.chains }
    let chainId = config.chainId
    // Like MetaMask, the wallet remembers that this site was allowed an
    // account, across reloads of the tab.
    const info = {
      uuid: config.uuid || crypto.randomUUID(),
      name: config.name || 'Test Wallet',
      icon: config.icon || 'data:image/svg+xml;base64,' + btoa('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><rect width="24" height="24" rx="5" fill="#0f766e"/></svg>'),
      rdns: config.rdns || 'org.example.testwallet'
    }
    const GRANT_KEY = `__testWalletGranted:${info.rdns}:${index}`
    let connected = sessionStorage.getItem(GRANT_KEY) ? [config.account] : []
    const refusals = new Set()
    // method -> { count, code, message }: the next `count` calls fail, as a
    // wallet whose node is rate limited (-32005) or unreachable answers.
    const failures = new Map()
    const holds = new Set()
    // Every transaction sent, with its hash, so tests can replace one.
    const sent = []
    const listeners = { accountsChanged: [], chainChanged: [], connect: [], disconnect: [] }
    const log = []

    const providerError = (code, message, data) => {
      const error = new Error(message)
      error.code = code
      if (data !== undefined) error.data = data
      return error
    }

    const emit = (event, value) => {
      for (const listener of [...(listeners[event] || [])]) {
        try { listener(value) } catch (e) { console.error('test wallet listener failed', e) }
      }
    }

    let nextId = 1
    // MetaMask reaches its node from the extension, outside the page and its
    // Content-Security-Policy; the harness's `__testWalletRpc` does the same
    // from the test process.
    const post = window.__testWalletRpc || (async (url, body) => {
      const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body })
      return response.text()
    })
    const forward = async (method, params) => {
      const body = JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params: params || [] })
      const answer = JSON.parse(await post(chains[chainId], body))
      if (answer.error) {
        throw providerError(answer.error.code, answer.error.message, answer.error.data)
      }
      return answer.result
    }

    const failIfAsked = (method) => {
      const failure = failures.get(method)
      if (!failure || failure.count <= 0) return
      failure.count--
      throw providerError(failure.code, failure.message)
    }

    const hex = (n) => '0x' + BigInt(n).toString(16)

    // As MetaMask's "Speed up" and "Cancel" do: a new transaction with the
    // same nonce and higher fees, which the node keeps in place of the first.
    const replace = async (cancel) => {
      const last = sent[sent.length - 1]
      if (!last) throw new Error('the test wallet has sent nothing to replace')
      const original = await forward('eth_getTransactionByHash', [last.hash])
      if (!original) throw new Error(`${last.hash} is no longer pending`)
      const bump = (fee) => hex(BigInt(fee) * 2n + 1n)
      const replacement = cancel
        ? { from: original.from, to: original.from, value: '0x0', data: '0x' }
        : { ...last.transaction }
      delete replacement.chainId
      const hash = await forward('eth_sendTransaction', [{
        ...replacement,
        nonce: original.nonce,
        maxFeePerGas: bump(original.maxFeePerGas),
        maxPriorityFeePerGas: bump(original.maxPriorityFeePerGas)
      }])
      sent.push({ hash, transaction: replacement })
      return hash
    }

    const refuseIfAsked = (method) => {
      if (refusals.has(method) || refusals.has('*')) {
        throw providerError(4001, 'MetaMask Tx Signature: User denied transaction signature.')
      }
    }

    const handlers = {
      eth_requestAccounts: async () => {
        refuseIfAsked('eth_requestAccounts')
        if (connected.length === 0) {
          connected = [config.account]
          sessionStorage.setItem(GRANT_KEY, '1')
          emit('accountsChanged', connected)
        }
        return connected
      },
      eth_accounts: async () => connected,
      eth_chainId: async () => chainId,
      net_version: async () => String(parseInt(chainId, 16)),
      wallet_switchEthereumChain: async ([{ chainId: wanted }]) => {
        refuseIfAsked('wallet_switchEthereumChain')
        const target = wanted.toLowerCase()
        if (!chains[target]) {
          throw providerError(4902, `Unrecognized chain ID "${wanted}". Try adding the chain using wallet_addEthereumChain first.`)
        }
        if (target !== chainId) {
          chainId = target
          emit('chainChanged', chainId)
        }
        return null
      },
      wallet_addEthereumChain: async ([chain]) => {
        refuseIfAsked('wallet_addEthereumChain')
        const url = (chain.rpcUrls || [])[0]
        // Tests only ever talk to loopback.
        if (!url || !/^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\//.test(url + '/')) {
          throw providerError(-32602, 'The test wallet only adds loopback RPC URLs.')
        }
        chains[chain.chainId.toLowerCase()] = url
        return handlers.wallet_switchEthereumChain([{ chainId: chain.chainId }])
      },
      eth_sendTransaction: async ([transaction]) => {
        if (connected.length === 0) throw providerError(4100, 'The requested account has not been authorized by the user.')
        refuseIfAsked('eth_sendTransaction')
        // As a MetaMask prompt left open: no answer, ever.
        if (holds.delete('eth_sendTransaction')) return new Promise(() => {})
        // MetaMask refuses a transaction whose chainId is not the active chain's.
        if (transaction.chainId !== undefined && transaction.chainId.toLowerCase() !== chainId) {
          throw providerError(-32602, `Invalid chainId ${transaction.chainId}: the active chain is ${chainId}.`)
        }
        const signed = { ...transaction, from: connected[0] }
        const hash = await forward('eth_sendTransaction', [signed])
        sent.push({ hash, transaction: signed })
        return hash
      }
    }

    const ethereum = {
      isMetaMask: true,
      async request (args) {
        if (!args || typeof args.method !== 'string') {
          throw providerError(-32600, 'Expected a single, non-array, object argument.')
        }
        const { method, params } = args
        log.push({ method, params })
        failIfAsked(method)
        const handler = handlers[method]
        return handler ? handler(params || []) : forward(method, params)
      },
      on (event, listener) {
        (listeners[event] = listeners[event] || []).push(listener)
        return ethereum
      },
      removeListener (event, listener) {
        listeners[event] = (listeners[event] || []).filter((l) => l !== listener)
        return ethereum
      }
    }

    const control = {
      refuse (method) { refusals.add(method) },
      allow (method) { refusals.delete(method) },
      requests () { return log.map((entry) => entry.method) },
      // The requests with their params, as the page sent them.
      calls () { return JSON.parse(JSON.stringify(log)) },
      setAccounts (accounts) { connected = accounts; emit('accountsChanged', connected) },
      addChain (id, url) { chains[id.toLowerCase()] = url },
      // As if the user removed the network in MetaMask: switching to it answers 4902.
      forgetChain (id) { delete chains[id.toLowerCase()] },
      switchChain (id) { chainId = id.toLowerCase(); emit('chainChanged', chainId) },
      // Repeats the current values, as MetaMask does on unlock and reconnect.
      repeatEvents () { emit('accountsChanged', connected); emit('chainChanged', chainId) },
      failNext (method, count, code = -32005, message = 'Request exceeds defined limit') {
        failures.set(method, { count, code, message })
      },
      // The next call of `method` is never answered, as a prompt left open.
      holdNext (method) { holds.add(method) },
      sentHashes () { return sent.map((entry) => entry.hash) },
      speedUp () { return replace(false) },
      cancel () { return replace(true) }
    }
    return { ethereum, control, info, announce: config.announce !== false }
  }
})()

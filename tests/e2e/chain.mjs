// Reading the chain from tests, straight from anvil: the truth the app's
// pages are checked against.
const selectors = {
  tokenURI: 'c87b56dd',
  ownerOf: '6352211e',
  totalSupply: '18160ddd'
}

const word = (n) => BigInt(n).toString(16).padStart(64, '0')

export async function rpc (rpcUrl, method, params = []) {
  const response = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })
  })
  const answer = await response.json()
  if (answer.error) throw new Error(`${method}: ${answer.error.message}`)
  return answer.result
}

async function call (rpcUrl, contract, data) {
  return rpc(rpcUrl, 'eth_call', [{ to: contract, data: '0x' + data }, 'latest'])
}

function decodeString (hex) {
  const bytes = Buffer.from(hex.slice(2), 'hex')
  const offset = Number(BigInt('0x' + bytes.subarray(0, 32).toString('hex')))
  const length = Number(BigInt('0x' + bytes.subarray(offset, offset + 32).toString('hex')))
  return bytes.subarray(offset + 32, offset + 32 + length).toString('utf8')
}

export async function tokenURI (rpcUrl, contract, id) {
  return decodeString(await call(rpcUrl, contract, selectors.tokenURI + word(id)))
}

export async function ownerOf (rpcUrl, contract, id) {
  const answer = await call(rpcUrl, contract, selectors.ownerOf + word(id))
  return '0x' + answer.slice(-40)
}

export async function totalSupply (rpcUrl, contract) {
  return Number(BigInt(await call(rpcUrl, contract, selectors.totalSupply)))
}

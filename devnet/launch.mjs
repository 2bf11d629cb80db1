// A local Bluesky network on loopback: a PLC directory and one PDS, for Flokk's tests and `make devnet`.
//
//   node devnet/launch.mjs STATE_DIR [--plc-port N] [--pds-port N] [--modules DIR]
//
// Ports also come from PLC_PORT / PDS_PORT (defaults 2582 / 2583). STATE_DIR is wiped at start: the PLC
// keeps its directory in memory, so a PDS that outlived it would hold accounts whose DIDs no longer
// resolve. When both servers answer their health checks it prints one line to stdout,
//   READY {"pds": "http://localhost:2583", "plc": "http://localhost:2582", ...}
// and then runs until SIGTERM or SIGINT, when it stops both and exits 0.
// See /work/shared/notes/bluesky-local-network.md for why each setting is what it is.

import crypto from 'node:crypto'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

const LOOPBACK = '127.0.0.1'

// The servers listen on all interfaces by default; nothing here may be reachable from outside.
const listen = net.Server.prototype.listen
net.Server.prototype.listen = function (...args) {
  if (args[0] !== null && typeof args[0] === 'object') {
    args[0] = { ...args[0], host: LOOPBACK }
  } else if (typeof args[0] === 'number' || (typeof args[0] === 'string' && /^\d+$/.test(args[0]))) {
    if (typeof args[1] === 'string') args[1] = LOOPBACK
    else args.splice(1, 0, LOOPBACK)
  }
  return listen.apply(this, args)
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'plc-port': { type: 'string', default: process.env.PLC_PORT ?? '2582' },
    'pds-port': { type: 'string', default: process.env.PDS_PORT ?? '2583' },
    modules: {
      type: 'string',
      default:
        process.env.FLOKK_DEVNET_MODULES ??
        path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'var', 'devnet', 'node_modules'),
    },
  },
})
if (positionals.length !== 1) {
  console.error('usage: node launch.mjs STATE_DIR [--plc-port N] [--pds-port N] [--modules DIR]')
  process.exit(2)
}
const stateDir = path.resolve(positionals[0])
const plcPort = Number(values['plc-port'])
const pdsPort = Number(values['pds-port'])

// The packages live in var/devnet/node_modules, not beside this file.
const require = createRequire(path.join(path.resolve(values.modules), '..', 'package.json'))
const load = async (name) => import(pathToFileURL(require.resolve(name)).href)

fs.rmSync(stateDir, { recursive: true, force: true })
fs.mkdirSync(path.join(stateDir, 'data', 'blobs'), { recursive: true })

const plcUrl = `http://localhost:${plcPort}` // a host name: the PDS refuses to resolve DIDs at an IP
const pdsUrl = `http://localhost:${pdsPort}`
const hex = (bytes) => crypto.randomBytes(bytes).toString('hex')
const adminPassword = process.env.PDS_ADMIN_PASSWORD || hex(16)

Object.assign(process.env, {
  PDS_HOSTNAME: 'localhost',
  PDS_PORT: String(pdsPort),
  PDS_DEV_MODE: 'true',
  PDS_INVITE_REQUIRED: 'false',
  PDS_DATA_DIRECTORY: path.join(stateDir, 'data'),
  PDS_BLOBSTORE_DISK_LOCATION: path.join(stateDir, 'data', 'blobs'),
  PDS_DID_PLC_URL: plcUrl,
  PDS_JWT_SECRET: hex(16),
  PDS_DPOP_SECRET: hex(32),
  PDS_ADMIN_PASSWORD: adminPassword,
  PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX: hex(32),
  PDS_CRAWLERS: '',
  LOG_ENABLED: process.env.LOG_ENABLED ?? 'false',
})

async function healthy(url) {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      const response = await fetch(url)
      if (response.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`no healthy answer from ${url}`)
}

let plc
let pds
let stopping = false

async function stop(code) {
  if (stopping) return
  stopping = true
  try {
    await pds?.destroy()
    await plc?.destroy()
  } catch (err) {
    console.error('devnet: error while stopping:', err)
    code = code || 1
  }
  process.exit(code)
}
process.on('SIGTERM', () => stop(0))
process.on('SIGINT', () => stop(0))

try {
  const { PlcServer, Database } = await load('@did-plc/server')
  plc = PlcServer.create({ db: Database.mock(), port: plcPort })
  await plc.start()
  await healthy(`http://${LOOPBACK}:${plcPort}/_health`)

  const { PDS } = await load('@atproto/pds')
  pds = await PDS.fromEnv()
  await pds.start()
  await healthy(`http://${LOOPBACK}:${pdsPort}/xrpc/_health`)
} catch (err) {
  console.error('devnet: failed to start:', err)
  await stop(1)
}

console.log(`READY ${JSON.stringify({ pds: pdsUrl, plc: plcUrl, admin_password: adminPassword })}`)

// A local Bluesky network on loopback: Bluesky's own dev-env `TestNetwork` (PLC directory, PDS, AppView with
// its bsync and Ozone), for Flokk's tests and `make devnet`.
//
//   node devnet/launch.mjs STATE_DIR [--plc-port N] [--pds-port N] [--appview-port N] [--modules DIR]
//
// Ports also come from PLC_PORT / PDS_PORT / APPVIEW_PORT (defaults 2582 / 2583 / 2584); the helpers
// (bsync, the AppView's data plane, Ozone) take free ports. The environment must give DB_POSTGRES_URL (a
// database of this network's own: the AppView, bsync and Ozone each migrate a schema in it) and REDIS_HOST
// (dev-env insists on one). STATE_DIR is wiped at start and holds the PDS's files: the PLC keeps its
// directory in memory, so nothing may outlive it. When the network is up it prints one line to stdout,
//   READY {"pds": "http://localhost:2583", "plc": "...", "appview": "...", ...}
// and then runs until SIGTERM or SIGINT (or its parent dies), when it stops everything and exits 0.
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
    'appview-port': { type: 'string', default: process.env.APPVIEW_PORT ?? '2584' },
    modules: {
      type: 'string',
      default:
        process.env.FLOKK_DEVNET_MODULES ??
        path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'var', 'devnet', 'node_modules'),
    },
  },
})
if (positionals.length !== 1) {
  console.error('usage: node launch.mjs STATE_DIR [--plc-port N] [--pds-port N] [--appview-port N] [--modules DIR]')
  process.exit(2)
}
for (const name of ['DB_POSTGRES_URL', 'REDIS_HOST']) {
  if (!process.env[name]) {
    console.error(`devnet: ${name} is not set`)
    process.exit(2)
  }
}
const stateDir = path.resolve(positionals[0])
const plcPort = Number(values['plc-port'])
const pdsPort = Number(values['pds-port'])
const appviewPort = Number(values['appview-port'])

// The packages live outside the checkout (~/.cache/flokk/devnet/node_modules), not beside this file.
const require = createRequire(path.join(path.resolve(values.modules), '..', 'package.json'))
const load = async (name) => import(pathToFileURL(require.resolve(name)).href)

fs.rmSync(stateDir, { recursive: true, force: true })
fs.mkdirSync(path.join(stateDir, 'tmp'), { recursive: true })

const hex = (bytes) => crypto.randomBytes(bytes).toString('hex')
const adminPassword = process.env.PDS_ADMIN_PASSWORD || hex(16)
process.env.LOG_ENABLED = process.env.LOG_ENABLED ?? 'false'

let network
let stopping = false

async function stop(code) {
  if (stopping) return
  stopping = true
  // close() first lets the AppView catch up; never let a stuck subscription keep the process alive.
  const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), 15000).unref())
  try {
    if ((await Promise.race([network?.close(), timeout])) === 'timeout') {
      console.error('devnet: the network did not stop within 15 s; exiting anyway')
    }
  } catch (err) {
    console.error('devnet: error while stopping:', err)
    code = code || 1
  }
  fs.rmSync(stateDir, { recursive: true, force: true })
  process.exit(code)
}
process.on('SIGTERM', () => stop(0))
process.on('SIGINT', () => stop(0))
// Orphaned (the test process was killed): stop rather than hold the ports and the database for ever.
const parent = process.ppid
setInterval(() => process.ppid !== parent && stop(0), 1000).unref()

try {
  const { TestNetwork } = await load('@atproto/dev-env')
  // dev-env puts each PDS's SQLite files and blobs under os.tmpdir(): keep them in the state directory,
  // which is removed at the end. (Set after the import: dev-env's port registry stays in the shared /tmp.)
  process.env.TMPDIR = path.join(stateDir, 'tmp')
  network = await TestNetwork.create({
    dbPostgresSchema: 'flokk',
    plc: { port: plcPort },
    pds: {
      port: pdsPort,
      hostname: 'localhost',
      inviteRequired: false,
      adminPassword,
      jwtSecret: hex(16),
    },
    bsky: {
      port: appviewPort,
      publicUrl: `http://localhost:${appviewPort}`,
    },
  })
} catch (err) {
  console.error('devnet: failed to start:', err)
  await stop(1)
}

console.log(
  `READY ${JSON.stringify({
    pds: network.pds.url,
    plc: network.plc.url,
    appview: network.bsky.url,
    appview_did: network.bsky.serverDid,
    admin_password: adminPassword,
  })}`,
)

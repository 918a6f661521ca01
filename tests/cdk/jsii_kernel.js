'use strict';
// jsii's kernel (program.js, next to this file) run in this Node process, reading requests
// from stdin and answering on stdout, where jsii's Python side talks to it. jsii's own
// entry point (bin/jsii-runtime.js) starts program.js as a second Node process and relays
// every message between the two: two more pipe hops per round trip, and a third process
// on the tests' core. tests/cdk/kernel.py writes both files and explains the rest.
//
// What the relay also did is done here: the kernel's own stdout is the jsii channel, so
// what the code it runs prints (console.log, console.error, a deprecation warning) goes
// to stderr as the relay sends it, a JSON line {"stdout"|"stderr": base64}, which jsii's
// Python side writes to sys.stdout or sys.stderr. process.stdin is never opened: the
// kernel reads fd 0 with blocking reads, which a stream would make non-blocking.

const fs = require('fs');
const path = require('path');
const { Writable } = require('stream');

const STDERR_FD = 2;
const pause = new Int32Array(new SharedArrayBuffer(4));

function writeAll(fd, buffer) {
  let written = 0;
  while (written < buffer.length) {
    try {
      written += fs.writeSync(fd, buffer, written);
    } catch (error) {
      if (error.code !== 'EAGAIN') throw error;
      Atomics.wait(pause, 0, 0, 1); // the reader is behind: let it catch up
    }
  }
}

function forwarded(name) {
  const stream = new Writable({
    write(chunk, encoding, callback) {
      const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk, encoding);
      writeAll(STDERR_FD, Buffer.from(`${JSON.stringify({ [name]: data.toString('base64') })}\n`));
      callback();
    },
  });
  stream.fd = name === 'stderr' ? STDERR_FD : undefined;
  stream.isTTY = false;
  return stream;
}

for (const name of ['stdout', 'stderr']) {
  const stream = forwarded(name);
  Object.defineProperty(process, name, { configurable: true, enumerable: true, get: () => stream });
}

require(path.join(__dirname, 'program.js'));

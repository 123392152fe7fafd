// Parses PowerShell commands with the tree-sitter PowerShell grammar and
// reports, for each, the ERROR and MISSING nodes of its parse tree.
//
// Input on stdin: a JSON array of strings, or one JSON string per line.
// Output on stdout: one JSON array, one object per command, in input order:
//   {"ok": true|false, "problems": [{"kind": "ERROR"|"MISSING",
//     "type": node type, "start": offset, "end": offset, "text": "..."}]}
// Offsets are byte offsets into the command's UTF-8 text.
// Exit status: 0 when every command was parsed (ok or not), 1 on bad input
// or when the grammar cannot be loaded.
'use strict';

// The grammar is a 1 MB wasm module: V8's optimizing compiler would take
// seconds of CPU over it (and node waits for that at exit) to speed up a
// parse that takes milliseconds. The baseline compiler alone is enough.
require('v8').setFlagsFromString('--liftoff-only');

const path = require('path');
const { Parser, Language } = require('web-tree-sitter');

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

function commands(input) {
  const trimmed = input.trim();
  if (trimmed.startsWith('[')) {
    const arr = JSON.parse(trimmed);
    if (!Array.isArray(arr) || !arr.every((s) => typeof s === 'string')) {
      throw new Error('input: want a JSON array of strings');
    }
    return arr;
  }
  return input.split('\n').filter((l) => l.trim() !== '').map((l, i) => {
    const s = JSON.parse(l);
    if (typeof s !== 'string') throw new Error(`input line ${i + 1}: want a JSON string`);
    return s;
  });
}

// bytes turns an offset in UTF-16 code units into one in UTF-8 bytes.
function bytes(src, index) {
  return Buffer.byteLength(src.slice(0, index), 'utf8');
}

// problems walks the tree and collects ERROR and MISSING nodes. An ERROR
// node's children are not searched: the outermost one says where.
function problems(root, src) {
  const out = [];
  const cursor = root.walk();
  let descend = true;
  for (;;) {
    const n = cursor.currentNode;
    let kind = null;
    if (descend) {
      if (n.isMissing) kind = 'MISSING';
      else if (n.isError) kind = 'ERROR';
      if (kind) {
        out.push({ kind, type: n.type, start: bytes(src, n.startIndex), end: bytes(src, n.endIndex),
          text: src.slice(n.startIndex, Math.min(n.endIndex, n.startIndex + 60)) });
      }
    }
    if (descend && !kind && n.hasError && cursor.gotoFirstChild()) continue;
    if (cursor.gotoNextSibling()) { descend = true; continue; }
    if (!cursor.gotoParent()) break;
    descend = false;
  }
  cursor.delete();
  return out;
}

async function main() {
  const cmds = commands(await readStdin());
  await Parser.init();
  const wasm = path.join(path.dirname(require.resolve('tree-sitter-powershell/package.json')),
    'tree-sitter-powershell.wasm');
  const parser = new Parser();
  parser.setLanguage(await Language.load(wasm));
  const results = cmds.map((cmd) => {
    const tree = parser.parse(cmd);
    const p = problems(tree.rootNode, cmd);
    tree.delete();
    return { ok: p.length === 0, problems: p };
  });
  // Exit as soon as the output is out, whatever V8 still has queued.
  process.stdout.write(JSON.stringify(results) + '\n', () => process.exit(0));
}

main().catch((err) => {
  process.stderr.write(`pscheck: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
});

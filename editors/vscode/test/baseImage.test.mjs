// Unit tests for naming the base image of the cursor's stage (src/baseImage.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { baseImageAt, expandArgs } = require('../out/baseImage.js');

const MULTI = [
  'ARG NODE=20',                       // 0
  'FROM node:${NODE} AS deps',         // 1
  'RUN npm ci',                        // 2
  '',                                  // 3
  'FROM deps AS build',                // 4
  'RUN npm test',                      // 5
  '',                                  // 6
  'FROM --platform=linux/arm64 node:${NODE}-slim', // 7
  'COPY --from=build /app /app',       // 8
].join('\n');

test('the stage under the cursor, with global ARG defaults expanded', () => {
  assert.deepEqual(baseImageAt(MULTI, 2), { kind: 'image', image: 'node:20', line: 1 });
  assert.deepEqual(baseImageAt(MULTI, 8), { kind: 'image', image: 'node:20-slim', platform: 'linux/arm64', line: 7 });
});

test('FROM <stage> is followed to the image that stage starts from', () => {
  assert.deepEqual(baseImageAt(MULTI, 5), { kind: 'image', image: 'node:20', line: 1 });
});

test('above the first FROM means the first stage', () => {
  assert.equal(baseImageAt(MULTI, 0).image, 'node:20');
});

test('scratch, no FROM and an unknown ARG are reported, not guessed', () => {
  assert.deepEqual(baseImageAt('FROM scratch\nCOPY app /', 1), { kind: 'scratch', line: 0 });
  assert.match(baseImageAt('RUN echo hi', 0).reason, /no FROM/);
  assert.match(baseImageAt('ARG BASE\nFROM ${BASE}\n', 1).reason, /build argument without a default/);
  // Stage references only point upwards, so names that would form a cycle are images.
  assert.equal(baseImageAt('FROM b AS a\nFROM a AS b\n', 1).image, 'b');
});

test('a stage name only counts if defined earlier; later or unknown names are images', () => {
  assert.equal(baseImageAt('FROM later\nFROM alpine AS later\n', 0).image, 'later');
  assert.equal(baseImageAt('FROM alpine AS Base\nFROM base\n', 1).image, 'alpine');
});

test('continuation lines, the escape directive and CRLF', () => {
  assert.equal(baseImageAt('FROM \\\n  --platform=linux/amd64 \\\n  debian:12 AS x\nRUN true', 3).image, 'debian:12');
  assert.equal(baseImageAt('# escape=`\nFROM `\n  mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir', 3).image,
    'mcr.microsoft.com/windows/servercore:ltsc2022');
  assert.equal(baseImageAt('FROM alpine:3.20\r\nRUN true\r\n', 1).image, 'alpine:3.20');
  assert.equal(baseImageAt('from python:3.12 as app\nrun true', 1).image, 'python:3.12');
});

test('an unresolvable --platform is dropped, the image kept', () => {
  assert.deepEqual(baseImageAt('FROM --platform=$BUILDPLATFORM golang:1.23 AS b\n', 0), { kind: 'image', image: 'golang:1.23', line: 0 });
});

test('expandArgs forms', () => {
  const args = new Map([['A', 'x'], ['E', '']]);
  assert.equal(expandArgs('$A-${A}', args), 'x-x');
  assert.equal(expandArgs('${B:-def}', args), 'def');
  assert.equal(expandArgs('${E:-def}', args), 'def');
  assert.equal(expandArgs('${B}', args), undefined);
  assert.equal(expandArgs('plain', args), 'plain');
});

test('never throws on odd input', () => {
  for (const text of ['', 'FROM', 'FROM --platform=x', '\\\n\\\n', 'FROM ${', '#escape=`\n`']) {
    for (const line of [-1, 0, 5]) assert.doesNotThrow(() => baseImageAt(text, line));
  }
});

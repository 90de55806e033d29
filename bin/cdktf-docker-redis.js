#!/usr/bin/env node
// `cdktf-docker-redis versions` prints the catalog the way `aptible db:versions` does.
'use strict';
const { RedisVersion } = require('../lib');

const [command] = process.argv.slice(2);
if (command !== 'versions') {
  console.error('usage: cdktf-docker-redis versions');
  process.exit(2);
}
console.log(['VERSION', 'IMAGE', 'PERSISTENCE', 'STATUS'].map((h, i) => h.padEnd([18, 22, 13, 0][i])).join(''));
for (const v of RedisVersion.ALL) {
  const cells = [
    v.name + (v === RedisVersion.DEFAULT ? ' *' : ''),
    v.image,
    v.persistent ? 'rdb' : 'memory-only',
    v.endOfLife ? 'end of life' : 'supported',
  ];
  console.log(cells.map((c, i) => c.padEnd([18, 22, 13, 0][i])).join(''));
}
console.log('* default');

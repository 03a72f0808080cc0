'use strict';
// Preloaded (node -r) into each process the classify benchmark times: at
// exit it reports the process's CPU time on stderr, so that user and system
// time can be compared without an external `time` command.
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(`\ncpu-ms ${(user + system) / 1000}\n`);
});

const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { parse } = require('dotenv');

function dotenvFile() {
  try {
    return parse(readFileSync(join(__dirname, '..', '.env')));
  } catch {
    return {};
  }
}
module.exports = ({ options }) => {
  const file = dotenvFile();
  const pick = (name) => process.env[name] || file[name] || undefined;
  return { service: pick('SERVICE_NAME') ?? 'sma', stage: options.stage || pick('STAGE') || 'dev' };
};

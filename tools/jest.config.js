module.exports = require('../jest.preset.js')(__dirname, {
  testMatch: ['<rootDir>/**/*.spec.ts', '<rootDir>/**/*.spec.js'],
  testPathIgnorePatterns: ['/node_modules/'],
});

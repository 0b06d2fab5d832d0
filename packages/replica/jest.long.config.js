module.exports = require('../../jest.preset.js').long(__dirname);

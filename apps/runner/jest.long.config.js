module.exports = require('./jest.esm.js')(require('../../jest.preset.js').long(__dirname));

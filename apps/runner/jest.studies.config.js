module.exports = require('./jest.esm.js')(require('../../jest.preset.js').studies(__dirname));

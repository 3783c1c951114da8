const express = require('express');

const app = express();
app.get('/healthz', (_req, res) => res.send('ok'));
app.listen(3000, () => console.log('listening on 3000'));

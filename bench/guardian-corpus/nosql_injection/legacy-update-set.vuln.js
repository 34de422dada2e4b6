// expect: vulnerable nosql_injection CWE-943
const express = require('express');
const monk = require('monk');

const db = monk(process.env.MONGO_URL);
const notes = db.get('notes');
const app = express();
app.use(express.json());

app.patch('/notes', async (req, res) => {
  // { "noteId": { "$gt": "" } } matches every note, not just one
  const result = await notes.update({ _id: req.body.noteId }, { $set: { text: req.body.text } }, { multi: true });
  res.json(result);
});

// expect: safe nosql_injection CWE-943
const express = require('express');
const monk = require('monk');

const db = monk(process.env.MONGO_URL);
const notes = db.get('notes');
const app = express();
app.use(express.json());

app.patch('/notes', async (req, res) => {
  const noteId = String(req.body.noteId);
  const result = await notes.update({ _id: noteId }, { $set: { text: String(req.body.text) } });
  res.json(result);
});

// expect: vulnerable sql_injection CWE-89
// model: javascript/aws-sdk-v3.json
import { DynamoDBClient, ExecuteStatementCommand } from '@aws-sdk/client-dynamodb';
import express from 'express';
const client = new DynamoDBClient({});
const app = express();
app.get('/orders', async (req, res) => {
  const statement = `SELECT * FROM orders WHERE customer = '${req.query.customer}'`;
  res.json(await client.send(new ExecuteStatementCommand({ Statement: statement })));
});

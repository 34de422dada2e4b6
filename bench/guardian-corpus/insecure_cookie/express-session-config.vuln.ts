// expect: vulnerable insecure_cookie CWE-614
import session from 'express-session';
import express from 'express';

const app = express();
app.use(
  session({
    secret: process.env.SESSION_SECRET!,
    resave: false,
    saveUninitialized: false,
    cookie: { secure: false, httpOnly: false },
  }),
);

// expect: vulnerable nosql_injection CWE-943
import type { Request, Response } from 'express';
import { User } from './user.model';

export async function resetPassword(req: Request, res: Response) {
  const user = await User.findOne({ resetToken: req.query.token });
  if (!user) return res.status(400).send('invalid token');
  user.password = req.body.password;
  await user.save();
  res.sendStatus(204);
}

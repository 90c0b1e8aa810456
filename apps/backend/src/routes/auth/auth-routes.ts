import { Router, type Request } from 'express';
import { loginBody, registerBody } from '../../api/account-schemas';
import { jsonBody } from '../../middleware/validate';
import type { AccountService, AccountSession } from '../../services/account-service';

const sessionView = (session: AccountSession) => ({
  ...session,
  user: { ...session.user, createdAt: session.user.createdAt.toISOString() },
});

/** The client's address as the trusted proxies report it; the rate limiters' key. */
const clientIp = (req: Request) => req.ip ?? req.socket.remoteAddress ?? 'unknown';

export function authRoutes(accounts: AccountService): Router {
  const router = Router();
  router.post('/api/auth/register', async (req, res) => {
    const { email, password } = jsonBody(req, registerBody);
    res.status(201).json(sessionView(await accounts.register(email, password, clientIp(req))));
  });
  router.post('/api/auth/login', async (req, res) => {
    const { email, password } = jsonBody(req, loginBody);
    res.json(sessionView(await accounts.login(email, password, clientIp(req))));
  });
  return router;
}

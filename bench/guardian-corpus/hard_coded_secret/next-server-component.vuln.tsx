// expect: vulnerable hard_coded_secret CWE-798
import Stripe from 'stripe';

const stripe = new Stripe('sk_live_51NvQ2cH8rTz4WmXb9LpK3yDs7fGa1JeU0oVi6Rq', { apiVersion: '2024-06-20' });

export default async function BillingPage() {
  const prices = await stripe.prices.list({ active: true });
  return <ul>{prices.data.map((p) => <li key={p.id}>{p.nickname}</li>)}</ul>;
}

// expect: safe hard_coded_secret CWE-798
import Stripe from 'stripe';

const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!, { apiVersion: '2024-06-20' });

export default async function BillingPage() {
  const prices = await stripe.prices.list({ active: true });
  return <ul>{prices.data.map((p) => <li key={p.id}>{p.nickname}</li>)}</ul>;
}

// expect: safe hard_coded_secret CWE-798
const Stripe = require('stripe');
const stripe = Stripe(process.env.STRIPE_SECRET_KEY);

module.exports = async function charge(amount, source) {
  return stripe.charges.create({ amount, currency: 'usd', source });
};

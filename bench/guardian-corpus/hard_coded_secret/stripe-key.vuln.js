// expect: vulnerable hard_coded_secret CWE-798
const Stripe = require('stripe');
const stripe = Stripe('sk_live_51Hq8ZbK2xTq9VmNcR4pLw7YdE3sA6fJ0uGtBiOkXy');

module.exports = async function charge(amount, source) {
  return stripe.charges.create({ amount, currency: 'usd', source });
};

// expect: safe insecure_transport CWE-319
import axios from 'axios';

export const paymentsApi = axios.create({ baseURL: 'https://api.payments-provider.com/v2' });

export function capture(id: string) {
  return paymentsApi.post(`/charges/${id}/capture`);
}

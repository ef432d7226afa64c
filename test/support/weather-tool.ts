/** A function tool for the weather in a city, as an assistant declares it, served by the customer's `url`. */
export function weatherTool(url: string) {
  return {
    type: 'function',
    name: 'get_weather',
    description: 'Weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
    server: { url, timeout_ms: 3000 },
  };
}

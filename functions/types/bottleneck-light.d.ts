// The light build is what the octokit plugins load; it has the same API as the typed main entry.
declare module 'bottleneck/light.js' {
  import Bottleneck from 'bottleneck';
  export default Bottleneck;
}
